/* SPDX-License-Identifier: MIT */
/* lynccheck - the HTML audit report: one self-contained page for the people
 * who sign off a go-live, readable on screen and printable to PDF.
 *
 * Self-contained: inline CSS and SVG, no script, no external fetch; a
 * Content-Security-Policy meta element (default-src 'none') makes a browser
 * refuse anything else even if something slipped in. Every string from a
 * result or the site goes through html.c's escaping. Layout:
 *   header (SIP domains, profile, date, version, host), executive summary
 *   (go-live verdict, counts, problems with their fix), the topology as an
 *   SVG diagram coloured by the worst status of each role's checks, one
 *   section per area with every check, certificate details (SAN coverage,
 *   names, inventory) and an appendix with the web walk transcript. */
#include "result.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "baseline.h"
#include "cert.h"
#include "findings.h"
#include "fixes.h"
#include "html.h"
#include "report.h"

/* Evidence shown per check, and per web check in the appendix: a report
 * that must print cannot hold a megabyte of one server's answer; the JSON
 * report keeps all of it. */
#define LC_HTML_EVIDENCE_MAX 8192
#define LC_HTML_TRANSCRIPT_MAX 65536
/* Problems listed in the executive summary; the rest are in the sections. */
#define LC_HTML_SUMMARY_MAX 40
/* Characters of a name inside a diagram box. */
#define LC_HTML_BOX_NAME_MAX 34
/* Distinct certificates in the inventory, places shown per certificate. */
#define LC_HTML_CERTS_MAX 64
#define LC_HTML_WHERE_MAX 6
/* Names in the SAN coverage table. */
#define LC_HTML_SAN_NAMES_MAX 200

/* ---- small writers ---- */

/* Seconds with the given decimals and the unit. */
static void lc_html_seconds(struct lc_out *o, uint64_t us, unsigned decimals)
{
    lc_out_seconds(o, us, decimals);
    lc_out_puts(o, " s");
}

static void lc_html_badge(struct lc_out *o, enum lc_status st)
{
    lc_out_puts(o, "<span class=\"badge st-");
    lc_out_puts(o, lc_status_name(st));
    lc_out_puts(o, "\">");
    lc_out_puts(o, lc_status_label(st));
    lc_out_puts(o, "</span>");
}

static const char *lc_html_str(const char *s)
{
    return s != NULL ? s : "";
}

/* ---- the site, as lc_site_to_json() wrote it ---- */

/* True when the site key (a string, an {"fqdn": ..} object or an array of
 * either) names host, case-insensitively. */
static int lc_html_site_has(const json_t *site, const char *key, const char *host)
{
    const json_t *v = site != NULL ? json_object_get(site, key) : NULL;
    size_t i, n = json_is_array(v) ? json_array_size(v) : 1;

    for (i = 0; v != NULL && i < n; i++) {
        const json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
        if (json_is_object(e))
            e = json_object_get(e, "fqdn");
        if (json_is_string(e) && strcasecmp(json_string_value(e), host) == 0)
            return 1;
    }
    return 0;
}

/* The first name under a site key, or NULL. */
static const char *lc_html_site_name(const json_t *site, const char *key)
{
    const json_t *v = site != NULL ? json_object_get(site, key) : NULL;

    if (json_is_array(v))
        v = json_array_get(v, 0);
    if (json_is_object(v))
        v = json_object_get(v, "fqdn");
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The host part of a target: "name:port", "name:lo-hi", "role:port" or a
 * URL. */
static void lc_html_target_host(const char *target, char *host, size_t len)
{
    const char *p = lc_html_str(target);
    const char *s = strstr(p, "://");
    size_t n, k;

    if (s != NULL)
        p = s + 3;
    n = strcspn(p, "/?#");
    for (k = n; k > 0 && p[k - 1] != ':'; k--)
        ;
    if (k > 1 && k < n && strspn(p + k, "0123456789-") == n - k)
        n = k - 1;
    if (n >= len)
        n = len - 1;
    memcpy(host, p, n);
    host[n] = '\0';
}

/* ---- the topology ---- */

enum lc_html_box {
    LC_BOX_DNS,
    LC_BOX_RP,
    LC_BOX_DIRECTOR,
    LC_BOX_FE,
    LC_BOX_ACCESS,
    LC_BOX_WEBCONF,
    LC_BOX_AV,
    LC_BOX_OTHER,
    LC_BOX_COUNT
};

static const char *const lc_html_box_titles[LC_BOX_COUNT] = {
    [LC_BOX_DNS] = "External DNS",
    [LC_BOX_RP] = "Reverse proxy",
    [LC_BOX_DIRECTOR] = "Director pool",
    [LC_BOX_FE] = "Front End pool",
    [LC_BOX_ACCESS] = "Access Edge",
    [LC_BOX_WEBCONF] = "Web Conferencing Edge",
    [LC_BOX_AV] = "A/V Edge",
    [LC_BOX_OTHER] = "Other",
};

struct lc_html_box_state {
    size_t counts[LC_STATUS_COUNT];
    size_t n;
    enum lc_status worst;
};

/* sip.<d> or xmpp.<d> for a SIP domain d: names the Access Edge serves. */
static int lc_html_edge_alias(const struct lc_report *report, const char *host)
{
    static const char *const prefixes[] = {"sip.", "xmpp."};

    for (size_t k = 0; k < 2; k++) {
        size_t pl = strlen(prefixes[k]);
        if (strncasecmp(host, prefixes[k], pl) != 0)
            continue;
        for (size_t i = 0; report->sip_domains != NULL && i < report->n_sip_domains; i++)
            if (report->sip_domains[i] != NULL &&
                strcasecmp(host + pl, report->sip_domains[i]) == 0)
                return 1;
    }
    return 0;
}

/* The box a check belongs to: by probe first, then by the role its
 * target's host plays in the site (names and role words of skipped checks). */
static enum lc_html_box lc_html_box_for(const struct lc_report *report, const struct lc_result *r)
{
    const json_t *site = report->site;
    const char *probe = lc_html_str(r->probe);
    int web = strcmp(probe, "web") == 0;
    char host[256];

    if (strcmp(probe, "dns") == 0)
        return LC_BOX_DNS;
    if (strcmp(probe, "sip") == 0 || strcmp(probe, "xmpp") == 0)
        return LC_BOX_ACCESS;
    if (strcmp(probe, "stun") == 0)
        return LC_BOX_AV;
    lc_html_target_host(r->target, host, sizeof(host));
    if (strcmp(host, "access-edge") == 0 || strcmp(host, "access-edge-federation") == 0 ||
        lc_html_site_has(site, "access_edge", host) || lc_html_edge_alias(report, host))
        return LC_BOX_ACCESS;
    if (strcmp(host, "webconf-edge") == 0 || lc_html_site_has(site, "webconf_edge", host))
        return LC_BOX_WEBCONF;
    if (strcmp(host, "av-edge") == 0 || lc_html_site_has(site, "av_edge", host))
        return LC_BOX_AV;
    if (web) {
        /* The web walk reaches the pools through the proxy: its checks on
         * a pool's own name speak for that pool. */
        if (strcmp(host, "director-web-external") == 0 ||
            lc_html_site_has(site, "director_web_external", host))
            return LC_BOX_DIRECTOR;
        if (strcmp(host, "web-external") == 0 || lc_html_site_has(site, "web_external", host))
            return LC_BOX_FE;
        return LC_BOX_RP;
    }
    if (strcmp(host, "reverse-proxy") == 0 || strcmp(host, "web-external") == 0 ||
        strcmp(host, "director-web-external") == 0 || strcmp(host, "owa") == 0 ||
        lc_html_site_has(site, "web_external", host) ||
        lc_html_site_has(site, "director_web_external", host) ||
        lc_html_site_has(site, "meet", host) || lc_html_site_has(site, "dialin", host) ||
        lc_html_site_has(site, "owa", host) || strncasecmp(host, "lyncdiscover.", 13) == 0)
        return LC_BOX_RP;
    if (strcmp(host, "front-end") == 0 || lc_html_site_has(site, "front_end", host))
        return LC_BOX_FE;
    if (strcmp(host, "director") == 0 || lc_html_site_has(site, "director", host))
        return LC_BOX_DIRECTOR;
    return LC_BOX_OTHER;
}

static void lc_html_boxes(const struct lc_report *report,
                          struct lc_html_box_state boxes[LC_BOX_COUNT])
{
    memset(boxes, 0, LC_BOX_COUNT * sizeof(*boxes));
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        struct lc_html_box_state *b;
        enum lc_status st;

        if (r == NULL || r->excluded)
            continue;
        st = lc_result_status(r);
        b = &boxes[lc_html_box_for(report, r)];
        if (b->n == 0 || lc_status_rank(st) > lc_status_rank(b->worst))
            b->worst = st;
        b->counts[st]++;
        b->n++;
    }
}

static void lc_html_svg_arrow(struct lc_out *o, int x1, int y1, int x2, int y2)
{
    lc_out_fmt(o,
               "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"link\" "
               "marker-end=\"url(#arrow)\"/>\n",
               x1, y1, x2, y2);
}

static void lc_html_svg_box(struct lc_out *o, int x, int y, int w, int h, const char *title,
                            const char *name, const struct lc_html_box_state *b)
{
    const char *cls = b == NULL ? "client" : b->n == 0 ? "none" : lc_status_name(b->worst);

    lc_out_fmt(o, "<g class=\"box b-%s\">", cls);
    lc_out_puts(o, "<title>");
    lc_html_text(o, title);
    if (name != NULL) {
        lc_out_puts(o, ": ");
        lc_html_text(o, name);
    }
    lc_out_puts(o, "</title>");
    lc_out_fmt(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"8\"/>", x, y, w, h);
    lc_out_fmt(o, "<text x=\"%d\" y=\"%d\" class=\"t\">", x + w / 2, y + 22);
    lc_html_text(o, title);
    lc_out_puts(o, "</text>");
    lc_out_fmt(o, "<text x=\"%d\" y=\"%d\" class=\"n\">", x + w / 2, y + 40);
    if (name != NULL)
        lc_html_text_max(o, name, LC_HTML_BOX_NAME_MAX);
    else if (b != NULL)
        lc_out_puts(o, "(not named)");
    lc_out_puts(o, "</text>");
    if (b != NULL) {
        lc_out_fmt(o, "<text x=\"%d\" y=\"%d\" class=\"s\">", x + w / 2, y + 58);
        if (b->n == 0)
            lc_out_puts(o, "no checks");
        else if (b->worst == LC_PASS || b->worst == LC_SKIP)
            lc_out_fmt(o, "%s: all %zu checks", lc_status_label(b->worst), b->n);
        else
            lc_out_fmt(o, "%s: %zu of %zu checks with problems", lc_status_label(b->worst),
                       b->n - b->counts[LC_PASS] - b->counts[LC_SKIP], b->n);
        lc_out_puts(o, "</text>");
    }
    lc_out_puts(o, "</g>\n");
}

static void lc_html_topology(struct lc_out *o, const struct lc_report *report)
{
    const json_t *site = report->site;
    struct lc_html_box_state b[LC_BOX_COUNT];
    const char *rp = lc_html_site_name(site, "web_external");

    lc_html_boxes(report, b);
    lc_out_puts(o, "<section class=\"topology\" id=\"topology\">\n<h2>Topology as lynccheck saw "
                   "it</h2>\n<p class=\"note\">Each role is coloured by the worst status of its "
                   "checks (DNS checks on the DNS box; certificates, ports and web services on the "
                   "role whose name they target).</p>\n");
    lc_out_puts(o, "<figure><svg viewBox=\"0 0 960 420\" "
                   "role=\"img\" aria-label=\"Deployment topology\">\n"
                   "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
                   "markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\">"
                   "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
    /* client -> DNS, client -> reverse proxy -> Director / Front End,
     * client -> each Edge role. */
    lc_html_svg_arrow(o, 150, 190, 258, 90);
    lc_html_svg_arrow(o, 150, 200, 258, 200);
    lc_html_svg_arrow(o, 490, 190, 578, 130);
    lc_html_svg_arrow(o, 490, 210, 578, 250);
    /* The Edge roles hang off one line under the client, so no arrow
     * crosses a box. */
    lc_out_puts(o, "<polyline points=\"80,240 80,292 830,292\" class=\"link\" fill=\"none\"/>\n");
    lc_html_svg_arrow(o, 370, 292, 370, 308);
    lc_html_svg_arrow(o, 600, 292, 600, 308);
    lc_html_svg_arrow(o, 830, 292, 830, 308);
    lc_out_puts(o, "<text x=\"372\" y=\"402\" class=\"lane\">Edge external interfaces</text>\n");
    lc_html_svg_box(o, 10, 170, 140, 70, "Client", "internet", NULL);
    lc_html_svg_box(o, 260, 40, 230, 70, lc_html_box_titles[LC_BOX_DNS],
                    report->n_sip_domains > 0 ? report->sip_domains[0] : NULL, &b[LC_BOX_DNS]);
    lc_html_svg_box(o, 260, 165, 230, 70, lc_html_box_titles[LC_BOX_RP],
                    rp != NULL ? rp : lc_html_site_name(site, "director_web_external"),
                    &b[LC_BOX_RP]);
    lc_html_svg_box(o, 580, 95, 240, 70, lc_html_box_titles[LC_BOX_DIRECTOR],
                    lc_html_site_name(site, "director_web_external"), &b[LC_BOX_DIRECTOR]);
    lc_html_svg_box(o, 580, 215, 240, 70, lc_html_box_titles[LC_BOX_FE], rp, &b[LC_BOX_FE]);
    lc_html_svg_box(o, 260, 310, 220, 70, lc_html_box_titles[LC_BOX_ACCESS],
                    lc_html_site_name(site, "access_edge"), &b[LC_BOX_ACCESS]);
    lc_html_svg_box(o, 490, 310, 220, 70, lc_html_box_titles[LC_BOX_WEBCONF],
                    lc_html_site_name(site, "webconf_edge"), &b[LC_BOX_WEBCONF]);
    lc_html_svg_box(o, 720, 310, 220, 70, lc_html_box_titles[LC_BOX_AV],
                    lc_html_site_name(site, "av_edge"), &b[LC_BOX_AV]);
    lc_out_puts(o, "</svg></figure>\n");

    /* The same in a table: for print in black and white, and for readers
     * of the page who cannot see the colours. */
    lc_out_puts(o, "<table class=\"counts\"><thead><tr><th>Role</th><th>Worst</th><th>Pass</th>"
                   "<th>Warn</th><th>Fail</th><th>Error</th><th>Skip</th></tr></thead><tbody>\n");
    for (int k = 0; k < LC_BOX_COUNT; k++) {
        if (b[k].n == 0 && k == LC_BOX_OTHER)
            continue;
        lc_out_puts(o, "<tr><td>");
        lc_html_text(o, lc_html_box_titles[k]);
        lc_out_puts(o, "</td><td>");
        if (b[k].n > 0)
            lc_html_badge(o, b[k].worst);
        else
            lc_out_puts(o, "no checks");
        lc_out_fmt(o, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n",
                   b[k].counts[LC_PASS], b[k].counts[LC_WARN], b[k].counts[LC_FAIL],
                   b[k].counts[LC_ERROR], b[k].counts[LC_SKIP]);
    }
    lc_out_puts(o, "</tbody></table>\n</section>\n");
}

/* ---- evidence ---- */

/* The JSON value pretty-printed, escaped and bounded; an empty object is
 * said in words. A value jansson cannot serialise (a probe stored invalid
 * UTF-8 unchecked) is said too, rather than losing the report. */
static int lc_html_json(struct lc_out *o, const json_t *v, size_t max)
{
    char *buf = NULL;
    int rc = lc_report_json_dump(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY, &buf);

    if (rc < 0)
        return -1;
    if (rc > 0) {
        lc_out_puts(o, "<pre class=\"ev\">(the evidence could not be serialised)</pre>");
        return 0;
    }
    lc_out_puts(o, "<pre class=\"ev\">");
    if (lc_html_text_max(o, buf, max))
        lc_out_fmt(o, "\n(%zu bytes in all: the JSON report holds the rest)", strlen(buf));
    lc_out_puts(o, "</pre>");
    free(buf);
    return 0;
}

static int lc_html_empty(const json_t *v)
{
    return v == NULL || (json_is_object(v) && json_object_size(v) == 0);
}

/* ---- header and executive summary ---- */

static void lc_html_domains(struct lc_out *o, const struct lc_report *report)
{
    lc_report_domains(o, report, "(no SIP domain)", &lc_html_rules);
}

static void lc_html_date(struct lc_out *o, time_t t)
{
    struct tm tm;
    char buf[64];

    if (gmtime_r(&t, &tm) == NULL || strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        lc_out_puts(o, "(unknown date)");
    else
        lc_out_puts(o, buf);
}

static const char lc_html_css[] =
    ":root{--pass:#2e7d32;--warn:#b26a00;--fail:#c62828;--error:#6a1b9a;--skip:#757575}\n"
    "*{box-sizing:border-box}\n"
    "body{font-family:'DejaVu Sans','Segoe UI',Arial,sans-serif;font-size:14px;line-height:1.4;"
    "color:#212121;max-width:1100px;margin:0 auto;padding:16px 24px;background:#fff}\n"
    "h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;border-bottom:2px solid #ccc;"
    "padding-bottom:3px;margin:28px 0 10px}h3{font-size:15px;margin:16px 0 6px}\n"
    "code,pre{font-family:'DejaVu Sans Mono',Consolas,monospace;font-size:12px}\n"
    "code{overflow-wrap:anywhere}\n"
    "table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ccc;"
    "padding:3px 8px;text-align:left;vertical-align:top}th{background:#f0f0f0}\n"
    "table.meta th{width:11em}td.num{text-align:right}\n"
    ".badge{display:inline-block;min-width:4.2em;text-align:center;font-weight:bold;"
    "font-size:11px;border-radius:3px;padding:1px 4px;color:#fff}\n"
    ".st-pass{background:var(--pass)}.st-warn{background:var(--warn)}"
    ".st-fail{background:var(--fail)}.st-error{background:var(--error)}"
    ".st-skip{background:var(--skip)}\n"
    ".verdict{padding:10px 14px;border-radius:6px;font-size:17px;font-weight:bold;margin:8px 0}\n"
    ".verdict.ready{background:#e8f5e9;border:2px solid var(--pass)}\n"
    ".verdict.notready{background:#ffebee;border:2px solid var(--fail)}\n"
    ".verdict.unknown{background:#f3e5f5;border:2px solid var(--error)}\n"
    ".fid{font-family:monospace;font-size:11px;color:#555}.impact{margin:2px 0}\n"
    ".selection{background:#fff8e1;border-left:4px solid var(--warn);padding:4px 8px}\n"
    "ol.problems li{margin:0 0 8px}.fix{margin:2px 0 0}.fix b{color:#0d47a1}\n"
    ".check{border:1px solid #ddd;border-left:5px solid var(--skip);border-radius:4px;"
    "padding:6px 10px;margin:0 0 8px}\n"
    ".check.c-pass{border-left-color:var(--pass)}.check.c-warn{border-left-color:var(--warn)}"
    ".check.c-fail{border-left-color:var(--fail)}.check.c-error{border-left-color:var(--error)}\n"
    ".check .msg{margin:4px 0}.check dl{margin:4px 0;display:grid;"
    "grid-template-columns:6em 1fr;gap:2px 8px}.check dt{font-weight:bold;color:#555}"
    ".check dd{margin:0}\n"
    ".compact{padding:3px 10px}.compact .msg{display:inline;margin-left:6px;color:#444}\n"
    ".excluded{color:#757575;font-style:italic}\n"
    "details summary{cursor:pointer;color:#1565c0;font-size:12px}\n"
    "pre.ev{background:#f7f7f7;border:1px solid #e0e0e0;padding:6px;white-space:pre-wrap;"
    "overflow-wrap:anywhere;max-height:40em;overflow:auto;margin:4px 0}\n"
    ".note{color:#555;font-size:12px}\n"
    "figure{margin:0}svg{width:100%;height:auto;max-height:440px}\n"
    ".box rect{stroke-width:2.5}.box text{text-anchor:middle;font-family:'DejaVu Sans',Arial,"
    "sans-serif}.box .t{font-weight:bold;font-size:15px}.box .n{font-size:12px}"
    ".box .s{font-size:12px}\n"
    ".b-pass rect{fill:#e8f5e9;stroke:var(--pass)}.b-warn rect{fill:#fff8e1;stroke:var(--warn)}"
    ".b-fail rect{fill:#ffebee;stroke:var(--fail)}.b-error rect{fill:#f3e5f5;stroke:var(--error)}"
    ".b-skip rect{fill:#f5f5f5;stroke:var(--skip)}"
    ".b-none rect{fill:#fafafa;stroke:#bbb;stroke-dasharray:6 4}"
    ".b-client rect{fill:#e3f2fd;stroke:#1565c0}\n"
    ".link{stroke:#555;stroke-width:2}.lane{font-size:12px;fill:#777;text-anchor:middle}\n"
    "td.cov{color:var(--pass);font-weight:bold}td.miss{color:var(--fail);font-weight:bold}"
    "td.unk{color:#757575}\n"
    "footer{margin-top:30px;color:#757575;font-size:12px;border-top:1px solid #ccc;"
    "padding-top:6px}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:11px}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "h2{break-after:avoid}h3{break-after:avoid}"
    ".check,.problems li,tr,figure,.verdict,.transcript{break-inside:avoid}"
    "section.topology,section.area,section.appendix{break-before:page}"
    "pre.ev{max-height:none;overflow:visible}details summary{color:#555}}\n";

/* Names pinned with --resolve: what was probed there is not what public
 * DNS says, which whoever signs the report off must know. */
static void lc_html_pins(struct lc_out *o, const struct lc_report *report)
{
    const json_t *pins = lc_report_pins(report);
    const char *name;
    const json_t *addrs;
    size_t k = 0;

    if (pins == NULL)
        return;
    lc_out_puts(o, "<tr class=\"pins\"><th>Pinned (--resolve)</th><td>");
    json_object_foreach(lc_json_mut(pins), name, addrs)
    {
        char *text = NULL;

        if (lc_report_pin_text(name, addrs, &text) != 0) {
            if (o->err == 0)
                o->err = ENOMEM;
            return;
        }
        lc_out_puts(o, k++ > 0 ? "<br>" : "");
        lc_out_puts(o, "<code>");
        lc_html_text(o, text);
        lc_out_puts(o, "</code>");
        free(text);
    }
    lc_out_puts(o, "<br><span class=\"note\">These names were not looked up in DNS: the "
                   "addresses above were used instead.</span></td></tr>\n");
}

static void lc_html_head(struct lc_out *o, const struct lc_report *report)
{
    lc_out_puts(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; img-src data:\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"generator\" content=\"lynccheck ");
    lc_html_text(o, report->version);
    lc_out_puts(o, "\">\n<title>Lync external access audit: ");
    lc_html_domains(o, report);
    lc_out_puts(o, "</title>\n<style>\n");
    lc_out_puts(o, lc_html_css);
    lc_out_puts(o, "</style>\n</head>\n<body>\n<header>\n<h1>Lync external access audit: ");
    lc_html_domains(o, report);
    lc_out_puts(o, "</h1>\n<table class=\"meta\">\n<tr><th>SIP domains</th><td>");
    lc_html_domains(o, report);
    lc_out_puts(o, "</td></tr>\n<tr><th>Profile</th><td>");
    lc_html_text(o, report->profile != NULL ? report->profile : "(none)");
    lc_out_puts(o, "</td></tr>\n<tr><th>Date</th><td>");
    lc_html_date(o, report->started);
    lc_out_puts(o, "</td></tr>\n<tr><th>Run from</th><td>");
    lc_html_text(o, report->hostname != NULL ? report->hostname : "(unknown host)");
    lc_out_puts(o, "</td></tr>\n<tr><th>Duration</th><td>");
    lc_html_seconds(o, report->duration_us, 1);
    lc_out_puts(o, "</td></tr>\n<tr><th>lynccheck</th><td>");
    lc_html_text(o, report->version != NULL ? report->version : "(unknown version)");
    lc_out_puts(o, "</td></tr>\n");
    lc_html_pins(o, report);
    lc_out_puts(o, "</table>\n</header>\n");
}

static void lc_html_summary(struct lc_out *o, const struct lc_report *report)
{
    const struct lc_findings *f = report->findings;
    size_t c[LC_STATUS_COUNT], total = 0, shown = 0, more = 0, problems;
    char *reason = NULL, *unmatched = NULL;
    int ready;

    lc_report_tally(report, c);
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++)
        total += c[i];
    ready = c[LC_FAIL] == 0 && c[LC_ERROR] == 0;
    problems = c[LC_FAIL] + c[LC_ERROR] + c[LC_WARN];
    if (lc_report_no_run_reason(report, &reason) != 0 ||
        lc_report_unmatched_text(report, &unmatched) != 0) {
        if (o->err == 0)
            o->err = ENOMEM;
        goto done;
    }

    lc_out_puts(o, "<section class=\"summary\" id=\"summary\">\n<h2>Executive summary</h2>\n");
    if (reason != NULL) {
        /* Nothing was checked: no evidence either way, never "ready". */
        lc_out_puts(o, "<p class=\"verdict unknown\">No verdict: ");
        lc_html_text(o, reason);
        lc_out_puts(o, ".</p>\n");
    } else if (ready)
        lc_out_fmt(o,
                   "<p class=\"verdict ready\">Ready for go-live: no check failed and every check "
                   "could run%s.</p>\n",
                   c[LC_WARN] > 0 ? " (review the warnings below)" : "");
    else
        lc_out_fmt(o,
                   "<p class=\"verdict notready\">Not ready for go-live: %zu check%s failed, %zu "
                   "could not run; %zu problem%s to fix.</p>\n",
                   c[LC_FAIL], c[LC_FAIL] == 1 ? "" : "s", c[LC_ERROR], f != NULL ? f->n : 0,
                   f != NULL && f->n == 1 ? "" : "s");
    lc_out_puts(o, "<table class=\"counts\"><thead><tr><th>Checks</th>");
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++) {
        lc_out_puts(o, "<th>");
        lc_html_badge(o, (enum lc_status)i);
        lc_out_puts(o, "</th>");
    }
    lc_out_fmt(o, "</tr></thead><tbody><tr><td class=\"num\">%zu</td>", total);
    for (unsigned i = 0; i < LC_STATUS_COUNT; i++)
        lc_out_fmt(o, "<td class=\"num\">%zu</td>", c[i]);
    lc_out_puts(o, "</tr></tbody></table>\n");
    if (unmatched != NULL) {
        lc_out_puts(o, "<p class=\"selection\"><b>Selection:</b> ");
        lc_html_text(o, unmatched);
        lc_out_puts(o, ": the checks it was meant to select did not run.</p>\n");
    }
    lc_out_puts(o, "<p class=\"note\">FAIL: the check ran and the requirement does not hold. "
                   "ERROR: the check could not run (timeout, no address, a check it depends on "
                   "failed). WARN: works, but should be fixed. SKIP: not applicable here, or "
                   "excluded.</p>\n");
    if (problems == 0 || f == NULL || f->n == 0) {
        lc_out_puts(o, reason != NULL ? "<p>No check ran, so no problem could be found.</p>\n"
                                        "</section>\n"
                                      : "<p>No problems found.</p>\n</section>\n");
        goto done;
    }
    /* One entry per cause (findings.h), its checks folded under it: an
     * administrator reads problems to fix, not symptoms. <details> needs
     * no script (the page's CSP is default-src 'none'). */
    lc_out_fmt(o,
               "<h3>%zu problem%s (%zu check%s), most severe first</h3>\n<ol class=\"problems\">\n",
               f->n, f->n == 1 ? "" : "s", f->n_checks, f->n_checks == 1 ? "" : "s");
    for (size_t i = 0; i < f->n; i++) {
        const struct lc_finding *x = &f->v[i];
        if (shown == LC_HTML_SUMMARY_MAX) {
            more++;
            continue;
        }
        lc_out_fmt(o, "<li class=\"finding\" id=\"%s\">", x->id);
        lc_html_badge(o, x->severity);
        lc_out_puts(o, " ");
        lc_html_text(o, x->cause);
        lc_out_fmt(o, " <span class=\"fid\">%s</span>", x->id);
        lc_out_puts(o, "<p class=\"fix\"><b>Fix:</b> ");
        lc_html_text(o, x->fix);
        lc_out_puts(o, "</p><p class=\"impact\"><b>Affects:</b> ");
        lc_html_text(o, x->impact);
        lc_out_fmt(o, "</p><details><summary>%zu check%s</summary><ul>", x->n_checks,
                   x->n_checks == 1 ? "" : "s");
        for (size_t k = 0; k < x->n_checks; k++) {
            size_t idx = 0;
            while (idx < report->n_results && report->results[idx] != x->checks[k])
                idx++;
            lc_out_puts(o, "<li>");
            lc_html_badge(o, lc_result_status(x->checks[k]));
            lc_out_fmt(o, " <a href=\"#c%zu\"><code>", idx);
            lc_html_text(o, x->checks[k]->id);
            lc_out_puts(o, "</code></a>: ");
            lc_html_text(o, x->checks[k]->message);
            lc_out_puts(o, "</li>");
        }
        lc_out_puts(o, "</ul></details></li>\n");
        shown++;
    }
    lc_out_puts(o, "</ol>\n");
    if (more > 0)
        lc_out_fmt(o, "<p>%zu more problem%s in the sections below.</p>\n", more,
                   more == 1 ? "" : "s");
    lc_out_puts(o, "</section>\n");
done:
    free(reason);
    free(unmatched);
}

/* ---- areas ---- */

enum lc_html_area {
    LC_AREA_DNS,
    LC_AREA_TLS,
    LC_AREA_PORT,
    LC_AREA_PROTO,
    LC_AREA_WEB,
    LC_AREA_OTHER,
    LC_AREA_COUNT
};

static const char *const lc_html_area_titles[LC_AREA_COUNT] = {
    "DNS",          "Certificates", "Ports", "Protocols (SIP, STUN/MS-TURN, XMPP)",
    "Web services", "Other checks",
};
static const char *const lc_html_area_ids[LC_AREA_COUNT] = {"dns",       "certificates", "ports",
                                                            "protocols", "web",          "other"};

static enum lc_html_area lc_html_area_of(const struct lc_result *r)
{
    const char *p = lc_html_str(r->probe);

    if (strcmp(p, "dns") == 0)
        return LC_AREA_DNS;
    if (strcmp(p, "tls") == 0)
        return LC_AREA_TLS;
    if (strcmp(p, "port") == 0)
        return LC_AREA_PORT;
    if (strcmp(p, "sip") == 0 || strcmp(p, "stun") == 0 || strcmp(p, "xmpp") == 0)
        return LC_AREA_PROTO;
    if (strcmp(p, "web") == 0)
        return LC_AREA_WEB;
    return LC_AREA_OTHER;
}

struct lc_html_row {
    const struct lc_result *r;
    size_t index;
};

/* Most severe first, then the run's order. */
static int lc_html_row_cmp(const void *a, const void *b)
{
    const struct lc_html_row *x = a, *y = b;
    int rx = lc_status_rank(lc_result_status(x->r)), ry = lc_status_rank(lc_result_status(y->r));

    if (rx != ry)
        return ry - rx;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int lc_html_check(struct lc_out *o, const struct lc_report *report,
                         const struct lc_result *r, size_t index)
{
    const struct lc_finding *f = lc_findings_of(report->findings, r);
    enum lc_status st = lc_result_status(r);
    int problem = st == LC_FAIL || st == LC_ERROR || st == LC_WARN;
    int rc = -1;

    lc_out_fmt(o, "<article class=\"check c-%s%s\" id=\"c%zu\">", lc_status_name(st),
               problem ? "" : " compact", index);
    lc_html_badge(o, st);
    lc_out_puts(o, " <code class=\"id\">");
    lc_html_text(o, r->id);
    lc_out_puts(o, "</code>");
    if (r->excluded)
        lc_out_puts(o, " <span class=\"excluded\">(excluded by --only/--skip)</span>");
    lc_out_puts(o, problem ? "\n<p class=\"msg\">" : "<span class=\"msg\">");
    lc_html_text(o, r->message);
    lc_out_puts(o, problem ? "</p>\n" : "</span>\n");
    if (!problem)
        lc_out_puts(o, "<details><summary>Expected and seen</summary>");
    lc_out_puts(o, "<dl><dt>Expected</dt><dd>");
    lc_html_text(o, r->reference != NULL && r->reference[0] != '\0' ? r->reference
                                                                    : "(no reference given)");
    lc_out_puts(o, "</dd><dt>Took</dt><dd>");
    lc_html_seconds(o, r->duration_us, 3);
    lc_out_puts(o, "</dd>");
    if (problem && f != NULL) {
        /* The fix for the cause the evidence shows, not for the kind. */
        lc_out_fmt(o, "<dt>Problem</dt><dd><a href=\"#%s\">%s</a>: ", f->id, f->id);
        lc_html_text(o, f->cause);
        lc_out_puts(o, "</dd><dt>Fix</dt><dd>");
        lc_html_text(o, f->fix);
        lc_out_puts(o, "</dd>");
    } else if (problem && lc_fix_for(r->probe, r->what) != NULL) {
        lc_out_puts(o, "<dt>Fix</dt><dd>");
        lc_html_text(o, lc_fix_for(r->probe, r->what));
        lc_out_puts(o, "</dd>");
    }
    lc_out_puts(o, "</dl>\n");
    if (lc_html_empty(r->evidence)) {
        lc_out_puts(o, "<p class=\"note\">No evidence recorded.</p>");
    } else {
        if (problem)
            lc_out_puts(o, "<details><summary>Seen: evidence</summary>");
        if (lc_html_json(o, r->evidence, LC_HTML_EVIDENCE_MAX) != 0)
            goto done;
        if (problem)
            lc_out_puts(o, "</details>");
    }
    if (!problem)
        lc_out_puts(o, "</details>");
    lc_out_puts(o, "</article>\n");
    rc = 0;
done:
    return rc;
}

/* ---- certificate details ---- */

/* Where the SAN coverage of one listener stands for one name: 0 not
 * required there, 1 covered, 2 missing, from the tls.san evidence
 * (certificates.<sha256>.required / .missing). */
static int lc_html_san_state(const json_t *ev, const char *name)
{
    const json_t *certs = json_object_get(ev, "certificates");
    const char *fp;
    const json_t *c;
    int required = 0, missing = 0;

    json_object_foreach(lc_json_mut(certs), fp, c)
    {
        const json_t *v;
        size_t i;
        (void)fp;
        json_array_foreach(json_object_get(c, "required"), i, v)
        {
            if (json_is_string(v) && strcasecmp(json_string_value(v), name) == 0)
                required = 1;
        }
        json_array_foreach(json_object_get(c, "missing"), i, v)
        {
            if (json_is_string(v) && strcasecmp(json_string_value(v), name) == 0)
                missing = 1;
        }
    }
    return missing ? 2 : required ? 1 : 0;
}

static int lc_html_is(const struct lc_result *r, const char *probe, const char *what)
{
    return r != NULL && strcmp(lc_html_str(r->probe), probe) == 0 &&
           strcmp(lc_html_str(r->what), what) == 0;
}

static int lc_html_san_table(struct lc_out *o, const struct lc_report *report)
{
    const char **names = NULL;
    size_t n_names = 0, n_listeners = 0;
    int rc = -1;

    names = calloc(LC_HTML_SAN_NAMES_MAX, sizeof(*names));
    if (names == NULL)
        goto done;
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        const json_t *certs, *c, *v;
        const char *fp;
        size_t k;

        if (!lc_html_is(r, "tls", "san"))
            continue;
        n_listeners++;
        certs = json_object_get(r->evidence, "certificates");
        json_object_foreach(lc_json_mut(certs), fp, c)
        {
            (void)fp;
            json_array_foreach(json_object_get(c, "required"), k, v)
            {
                size_t j;
                if (!json_is_string(v))
                    continue;
                for (j = 0; j < n_names && strcasecmp(names[j], json_string_value(v)) != 0; j++)
                    ;
                if (j == n_names && n_names < LC_HTML_SAN_NAMES_MAX)
                    names[n_names++] = json_string_value(v);
            }
        }
    }
    if (n_listeners == 0) {
        rc = 0;
        goto done;
    }
    lc_out_puts(o, "<h3>SAN coverage: required names per listener</h3>\n");
    if (n_names == 0) {
        lc_out_puts(o, "<p>No listener presented a certificate to judge; see the tls.san "
                       "checks below.</p>\n");
        rc = 0;
        goto done;
    }
    lc_out_puts(o, "<table class=\"san\"><thead><tr><th>Required name</th>");
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        if (!lc_html_is(r, "tls", "san"))
            continue;
        lc_out_puts(o, "<th><code>");
        lc_html_text(o, r->target);
        lc_out_puts(o, "</code><br>");
        lc_html_badge(o, lc_result_status(r));
        lc_out_puts(o, "</th>");
    }
    lc_out_puts(o, "</tr></thead><tbody>\n");
    for (size_t j = 0; j < n_names; j++) {
        lc_out_puts(o, "<tr><td><code>");
        lc_html_text(o, names[j]);
        lc_out_puts(o, "</code></td>");
        for (size_t i = 0; i < report->n_results; i++) {
            const struct lc_result *r = report->results[i];
            if (!lc_html_is(r, "tls", "san"))
                continue;
            if (json_object_size(json_object_get(r->evidence, "certificates")) == 0) {
                lc_out_puts(o, "<td class=\"unk\">no certificate seen</td>");
                continue;
            }
            switch (lc_html_san_state(r->evidence, names[j])) {
            case 2:
                lc_out_puts(o, "<td class=\"miss\">&#x2717; missing</td>");
                break;
            case 1:
                lc_out_puts(o, "<td class=\"cov\">&#x2713; covered</td>");
                break;
            default:
                lc_out_puts(o, "<td class=\"unk\">&#x2014;</td>");
                break;
            }
        }
        lc_out_puts(o, "</tr>\n");
    }
    lc_out_puts(o, "</tbody></table>\n<p class=\"note\">&#x2014;: not required on that "
                   "listener.</p>\n");
    rc = 0;
done:
    free(names);
    return rc;
}

/* tls.name checks: does the certificate presented for each name clients
 * connect to cover it (and as which SAN). */
static void lc_html_name_table(struct lc_out *o, const struct lc_report *report)
{
    int any = 0;

    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        const json_t *certs, *c;
        const char *fp;
        int first = 1;

        if (!lc_html_is(r, "tls", "name"))
            continue;
        if (!any) {
            lc_out_puts(o, "<h3>Names clients connect to</h3>\n<table class=\"names\"><thead>"
                           "<tr><th>Name:port</th><th>Status</th><th>Covered as</th></tr></thead>"
                           "<tbody>\n");
            any = 1;
        }
        lc_out_puts(o, "<tr><td><code>");
        lc_html_text(o, r->target);
        lc_out_puts(o, "</code></td><td>");
        lc_html_badge(o, lc_result_status(r));
        lc_out_puts(o, "</td><td>");
        certs = json_object_get(r->evidence, "certificates");
        json_object_foreach(lc_json_mut(certs), fp, c)
        {
            const json_t *m = json_object_get(c, "matched");
            (void)fp;
            if (!json_is_string(m))
                continue;
            if (!first)
                lc_out_puts(o, ", ");
            lc_out_puts(o, "<code>");
            lc_html_text(o, json_string_value(m));
            lc_out_puts(o, "</code>");
            first = 0;
        }
        if (first)
            lc_html_text(o, r->message);
        lc_out_puts(o, "</td></tr>\n");
    }
    if (any)
        lc_out_puts(o, "</tbody></table>\n");
}

struct lc_html_cert {
    const char *sha256;
    const json_t *cert;
    const char *where[LC_HTML_WHERE_MAX];
    size_t n_where;
};

struct lc_html_inventory {
    struct lc_html_cert *v;
    size_t n;
};

static void lc_html_inventory_add(struct lc_html_inventory *inv, const json_t *cert,
                                  const char *target)
{
    const char *fp = json_string_value(json_object_get(cert, "sha256"));
    size_t i, k;

    if (fp == NULL)
        return;
    for (i = 0; i < inv->n && strcmp(inv->v[i].sha256, fp) != 0; i++)
        ;
    if (i == inv->n) {
        if (inv->n == LC_HTML_CERTS_MAX)
            return;
        memset(&inv->v[i], 0, sizeof(inv->v[i]));
        inv->v[i].sha256 = fp;
        inv->v[i].cert = cert;
        inv->n++;
    }
    for (k = 0; k < inv->v[i].n_where && strcmp(inv->v[i].where[k], target) != 0; k++)
        ;
    if (k == inv->v[i].n_where && k < LC_HTML_WHERE_MAX)
        inv->v[i].where[inv->v[i].n_where++] = target;
}

struct lc_html_walk {
    struct lc_html_inventory *inv;
    const char *target;
};

static void lc_html_on_cert(const json_t *cert, void *arg)
{
    const struct lc_html_walk *w = arg;

    lc_html_inventory_add(w->inv, cert, w->target);
}

static void lc_html_json_scalar(struct lc_out *o, const json_t *v)
{
    if (json_is_string(v))
        lc_html_text(o, json_string_value(v));
    else if (json_is_integer(v))
        lc_out_fmt(o, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        lc_out_puts(o, "&#x2014;");
}

/* The revocation column: what the revocation.* checks (probes/probe_revoke.c)
 * found for this certificate, keyed by its fingerprint in their evidence. */
static void lc_html_cert_revocation(struct lc_out *o, const struct lc_report *report,
                                    const char *sha256)
{
    size_t i, shown = 0;

    for (i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        const json_t *c, *st, *msg;
        if (r == NULL || strcmp(lc_html_str(r->probe), "revocation") != 0)
            continue;
        c = json_object_get(json_object_get(r->evidence, "certificates"), sha256);
        if (!json_is_object(c))
            continue;
        st = json_object_get(c, "status");
        msg = json_object_get(c, "message");
        if (shown++ > 0)
            lc_out_puts(o, "<br>");
        lc_out_puts(o, "<b>");
        lc_html_text(o, strcmp(lc_html_str(r->what), "ocsp") == 0 ? "OCSP" : "CRL");
        lc_out_puts(o, "</b> ");
        lc_html_json_scalar(o, st);
        if (json_is_string(msg)) {
            lc_out_puts(o, ": <span class=\"note\">");
            lc_html_text_max(o, json_string_value(msg), 160);
            lc_out_puts(o, "</span>");
        }
    }
    if (shown == 0)
        lc_out_puts(o, "<span class=\"note\">not checked</span>");
}

static int lc_html_cert_inventory(struct lc_out *o, const struct lc_report *report)
{
    struct lc_html_inventory inv = {NULL, 0};
    int rc = -1;

    inv.v = calloc(LC_HTML_CERTS_MAX, sizeof(*inv.v));
    if (inv.v == NULL)
        goto done;
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        struct lc_html_walk w = {&inv, r != NULL ? lc_html_str(r->target) : ""};
        if (r != NULL && strcmp(lc_html_str(r->probe), "tls") == 0)
            lc_cert_evidence_foreach(r->evidence, lc_html_on_cert, &w);
    }
    rc = 0;
    if (inv.n == 0)
        goto done;
    lc_out_puts(o, "<h3>Certificates seen</h3>\n<table class=\"certs\"><thead><tr><th>Subject "
                   "and issuer</th><th>Names (SAN)</th><th>Expires</th><th>Revocation</th><th>Seen "
                   "on</th></tr>"
                   "</thead><tbody>\n");
    for (size_t i = 0; i < inv.n; i++) {
        const json_t *c = inv.v[i].cert, *sans = json_object_get(c, "sans"), *v;
        const json_t *days = json_object_get(c, "days_left");
        size_t k;

        lc_out_puts(o, "<tr><td>");
        lc_html_json_scalar(o, json_object_get(c, "subject"));
        lc_out_puts(o, "<br><span class=\"note\">issued by ");
        lc_html_json_scalar(o, json_object_get(c, "issuer"));
        lc_out_puts(o, "<br>SHA-256 ");
        lc_html_text_max(o, inv.v[i].sha256, 16);
        lc_out_puts(o, "</span></td><td>");
        json_array_foreach(sans, k, v)
        {
            if (k >= 30) {
                lc_out_fmt(o, " and %zu more", json_array_size(sans) - k);
                break;
            }
            if (k > 0)
                lc_out_puts(o, ", ");
            lc_out_puts(o, "<code>");
            lc_html_json_scalar(o, v);
            lc_out_puts(o, "</code>");
        }
        lc_out_puts(o, "</td><td>");
        lc_html_json_scalar(o, json_object_get(c, "not_after"));
        if (json_is_integer(days))
            lc_out_fmt(o, "<br>(%" JSON_INTEGER_FORMAT " days)", json_integer_value(days));
        lc_out_puts(o, "</td><td>");
        lc_html_cert_revocation(o, report, inv.v[i].sha256);
        lc_out_puts(o, "</td><td>");
        for (k = 0; k < inv.v[i].n_where; k++) {
            if (k > 0)
                lc_out_puts(o, "<br>");
            lc_out_puts(o, "<code>");
            lc_html_text(o, inv.v[i].where[k]);
            lc_out_puts(o, "</code>");
        }
        lc_out_puts(o, "</td></tr>\n");
    }
    lc_out_puts(o, "</tbody></table>\n");
done:
    free(inv.v);
    return rc;
}

static int lc_html_areas(struct lc_out *o, const struct lc_report *report)
{
    struct lc_html_row *rows = NULL;
    int rc = -1;

    rows = calloc(report->n_results > 0 ? report->n_results : 1, sizeof(*rows));
    if (rows == NULL)
        goto done;
    for (int a = 0; a < LC_AREA_COUNT; a++) {
        size_t n = 0, c[LC_STATUS_COUNT] = {0};

        for (size_t i = 0; i < report->n_results; i++) {
            const struct lc_result *r = report->results[i];
            if (r == NULL || (int)lc_html_area_of(r) != a)
                continue;
            rows[n].r = r;
            rows[n].index = i;
            c[lc_result_status(r)]++;
            n++;
        }
        if (n == 0 && a == LC_AREA_OTHER)
            continue;
        lc_out_fmt(o, "<section class=\"area\" id=\"area-%s\">\n<h2>", lc_html_area_ids[a]);
        lc_html_text(o, lc_html_area_titles[a]);
        lc_out_fmt(o,
                   " <span class=\"note\">%zu check%s: %zu pass, %zu warn, %zu fail, %zu error, "
                   "%zu skip</span></h2>\n",
                   n, n == 1 ? "" : "s", c[LC_PASS], c[LC_WARN], c[LC_FAIL], c[LC_ERROR],
                   c[LC_SKIP]);
        if (n == 0) {
            lc_out_puts(o, "<p>No checks of this area ran in this profile.</p>\n</section>\n");
            continue;
        }
        if (a == LC_AREA_TLS) {
            if (lc_html_san_table(o, report) != 0)
                goto done;
            lc_html_name_table(o, report);
            if (lc_html_cert_inventory(o, report) != 0)
                goto done;
            lc_out_puts(o, "<h3>Every check</h3>\n");
        }
        qsort(rows, n, sizeof(*rows), lc_html_row_cmp);
        for (size_t k = 0; k < n; k++)
            if (lc_html_check(o, report, rows[k].r, rows[k].index) != 0)
                goto done;
        lc_out_puts(o, "</section>\n");
    }
    rc = 0;
done:
    free(rows);
    return rc;
}

/* ---- appendix ---- */

/* Every "transcript" value under v (the web probe keeps one per address,
 * under addresses.<address>), each headed by the key it was found under.
 * Returns how many were written, or -1 when writing failed. */
static int lc_html_transcripts(struct lc_out *o, const json_t *v, const char *under, int depth)
{
    const char *key;
    const json_t *e;
    int n = 0, k;

    if (depth > 4 || !json_is_object(v))
        return 0;
    json_object_foreach(lc_json_mut(v), key, e)
    {
        if (strcmp(key, "transcript") == 0) {
            if (under != NULL) {
                lc_out_puts(o, "<p class=\"note\">");
                lc_html_text(o, under);
                lc_out_puts(o, "</p>");
            }
            if (lc_html_json(o, e, LC_HTML_TRANSCRIPT_MAX) != 0)
                return -1;
            n++;
        } else if (json_is_object(e)) {
            k = lc_html_transcripts(o, e, key, depth + 1);
            if (k < 0)
                return -1;
            n += k;
        }
    }
    return n;
}

static int lc_html_appendix(struct lc_out *o, const struct lc_report *report)
{
    int any = 0;

    lc_out_puts(o, "<section class=\"appendix\" id=\"appendix\">\n<h2>Appendix: web services "
                   "walk transcript</h2>\n");
    for (size_t i = 0; i < report->n_results; i++) {
        const struct lc_result *r = report->results[i];
        int n;

        if (r == NULL || strcmp(lc_html_str(r->probe), "web") != 0)
            continue;
        any = 1;
        lc_out_puts(o, "<div class=\"transcript\"><h3>");
        lc_html_badge(o, lc_result_status(r));
        lc_out_fmt(o, " <a href=\"#c%zu\"><code>", i);
        lc_html_text(o, r->id);
        lc_out_puts(o, "</code></a></h3>\n");
        n = lc_html_transcripts(o, r->evidence, NULL, 0);
        if (n < 0)
            return -1;
        if (n == 0 && lc_html_empty(r->evidence))
            lc_out_puts(o, "<p class=\"note\">Nothing recorded.</p>");
        else if (n == 0 && lc_html_json(o, r->evidence, LC_HTML_TRANSCRIPT_MAX) != 0)
            return -1;
        lc_out_puts(o, "</div>\n");
    }
    if (!any)
        lc_out_puts(o, "<p>No web services checks ran in this profile.</p>\n");
    lc_out_puts(o, "</section>\n");
    return 0;
}

/* "Since the last run" (--baseline): new, fixed and still failing
 * problems, and the facts that changed. */
static void lc_html_changes(struct lc_out *o, const struct lc_report *report)
{
    static const char *const which[] = {"new", "fixed", "still"};
    static const char *const titles[] = {"New", "Fixed", "Still failing"};
    const json_t *e;
    char line[512];
    size_t i;

    if (report->changes == NULL)
        return;
    lc_out_puts(o, "<section class=\"changes\" id=\"changes\">\n<h2>Since the last run</h2>\n");
    if (lc_changes_summary(report->changes, line, sizeof(line)) == 0) {
        lc_out_puts(o, "<p>");
        lc_html_text(o, line);
        lc_out_puts(o, "</p>\n");
    }
    for (size_t k = 0; k < 3; k++) {
        const json_t *fl = lc_changes_list(report->changes, which[k], "findings");
        const json_t *cl = lc_changes_list(report->changes, which[k], "checks");
        if (json_array_size(fl) == 0 && json_array_size(cl) == 0)
            continue;
        lc_out_fmt(o, "<h3>%s</h3>\n<ul class=\"%s\">", titles[k], which[k]);
        json_array_foreach(fl, i, e)
        {
            lc_out_puts(o, "<li><span class=\"fid\">");
            lc_html_text(o, json_string_value(json_object_get(e, "id")));
            lc_out_puts(o, "</span> ");
            lc_html_text(o, json_string_value(json_object_get(e, "cause")));
            lc_out_puts(o, "</li>");
        }
        lc_out_puts(o, "</ul>\n");
        if (json_array_size(cl) > 0) {
            lc_out_fmt(o, "<details><summary>%zu check%s</summary><ul>", json_array_size(cl),
                       json_array_size(cl) == 1 ? "" : "s");
            json_array_foreach(cl, i, e)
            {
                lc_out_puts(o, "<li><code>");
                lc_html_text(o, json_string_value(e));
                lc_out_puts(o, "</code></li>");
            }
            lc_out_puts(o, "</ul></details>\n");
        }
    }
    if (json_array_size(lc_changes_facts(report->changes)) > 0) {
        lc_out_puts(o, "<h3>Changed</h3>\n<ul class=\"changed\">");
        json_array_foreach(lc_changes_facts(report->changes), i, e)
        {
            lc_out_puts(o, "<li>");
            lc_html_text(o, json_string_value(json_object_get(e, "text")));
            lc_out_puts(o, "</li>");
        }
        lc_out_puts(o, "</ul>\n");
    }
    lc_out_puts(o, "</section>\n");
}

static int lc_html_write(struct lc_out *o, const struct lc_report *report,
                         const struct lc_report_opts *opts)
{
    (void)opts;
    lc_html_head(o, report);
    lc_out_puts(o, "<main>\n");
    lc_html_summary(o, report);
    lc_html_changes(o, report);
    lc_html_topology(o, report);
    if (lc_html_areas(o, report) != 0 || lc_html_appendix(o, report) != 0)
        return -1;
    lc_out_puts(o, "</main>\n<footer>Generated by lynccheck ");
    lc_html_text(o, report->version);
    lc_out_puts(o, " on ");
    lc_html_text(o, report->hostname);
    lc_out_puts(o, ", ");
    lc_html_date(o, report->started);
    lc_out_puts(o, ". The JSON report (--format json) carries the complete evidence.</footer>\n"
                   "</body>\n</html>\n");
    return 0;
}

const struct lc_reporter lc_reporter_html = {"html", lc_html_write, 0};

int lc_report_html(const struct lc_report *report, FILE *out)
{
    return lc_report_write(&lc_reporter_html, report, out, NULL);
}
