/* SPDX-License-Identifier: MIT */
/* lynccheck - command line and site file.
 *
 * One table describes every option: getopt_long's table, the site file's
 * keys and --help are all made from it, so they cannot drift apart. */
#include "config.h"

#include "cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "probe.h"
#include "run.h"

enum lc_opt_id {
    O_PROFILE = 256,
    O_SIP_DOMAIN,
    O_SIP_DOMAINS_FILE,
    O_ACCESS_EDGE,
    O_WEBCONF_EDGE,
    O_AV_EDGE,
    O_WEB_EXTERNAL,
    O_DIRECTOR,
    O_OWA,
    O_MEET,
    O_DIALIN,
    O_XMPP,
    O_DNS_SERVER,
    O_RESOLVE,
    O_CA_FILE,
    O_CONFIG,
    O_ONLY,
    O_SKIP,
    O_FORMAT,
    O_OUTPUT,
    O_REPORT,
    O_TIMEOUT,
    O_DEADLINE,
    O_PARALLEL,
    O_CERT_WARN_DAYS,
    O_PORT_RANGES,
    O_EDGE_INTERNAL,
    O_FRONT_END,
    O_DIRECTOR_POOL,
    O_MEDIATION,
    O_USER,
    O_PASSWORD_FILE,
    O_LIST_PROFILES,
    O_LIST_CHECKS,
    O_BASELINE,
    O_VERBOSE = 'v',
    O_VERSION = 'V',
    O_HELP = 'h',
};

struct lc_optdef {
    const char *name;
    int id;
    const char *arg; /* NULL: a flag */
    int list;        /* may repeat; accumulates */
    int site_ok;     /* allowed in a site file */
    const char *help;
};

static const struct lc_optdef lc_optdefs[] = {
    {"profile", O_PROFILE, "NAME|FILE", 0, 1, "profile to run (default: external)"},
    {"sip-domain", O_SIP_DOMAIN, "DOMAIN", 1, 1, "SIP domain to check (repeat for several)"},
    {"sip-domains-file", O_SIP_DOMAINS_FILE, "FILE", 1, 1,
     "more SIP domains, one per line ('#' comments); all domains share one run"},
    {"access-edge", O_ACCESS_EDGE, "FQDN|IP", 0, 1,
     "Access Edge external FQDN (default: target of _sip._tls.<first domain>, else "
     "sip.<first domain>); an IP address is probed directly, without DNS"},
    {"webconf-edge", O_WEBCONF_EDGE, "FQDN|IP", 0, 1, "Web Conferencing Edge external FQDN"},
    {"av-edge", O_AV_EDGE, "FQDN|IP", 0, 1, "A/V Edge external FQDN"},
    {"web-external", O_WEB_EXTERNAL, "FQDN|IP", 1, 1,
     "Front End pool external web services FQDN (repeat per pool)"},
    {"director-web-external", O_DIRECTOR, "FQDN|IP", 1, 1,
     "Director pool external web services FQDN (repeat per pool)"},
    {"owa", O_OWA, "FQDN|IP", 0, 1, "Office Web Apps Server external FQDN"},
    {"meet", O_MEET, "FQDN|IP", 1, 1, "meet simple URL host (default: meet.<each domain>)"},
    {"dialin", O_DIALIN, "FQDN|IP", 0, 1,
     "dial-in simple URL host (default: dialin.<first domain>)"},
    {"xmpp", O_XMPP, "yes|no", 0, 1, "XMPP federation in use (default: no)"},
    {"edge-internal", O_EDGE_INTERNAL, "FQDN|IP", 0, 1,
     "Edge internal interface FQDN (edge-internal profile)"},
    {"front-end", O_FRONT_END, "FQDN|IP", 0, 1, "Front End pool FQDN (internal profile)"},
    {"director", O_DIRECTOR_POOL, "FQDN|IP", 0, 1,
     "Director pool internal FQDN (internal profile)"},
    {"mediation", O_MEDIATION, "FQDN|IP", 0, 1, "Mediation pool FQDN (internal profile)"},
    {"dns-server", O_DNS_SERVER, "IP[:PORT]", 1, 1,
     "resolve through this DNS server instead of the system's (repeat for several)"},
    {"resolve", O_RESOLVE, "NAME:ADDR[,ADDR...]", 1, 1,
     "pin NAME to these addresses for this run, without asking DNS (like curl's --resolve; "
     "repeat per name; SRV records are not pinned)"},
    {"ca-file", O_CA_FILE, "PEM", 0, 1, "extra trust anchors, added to the system store"},
    {"user", O_USER, "UPN", 0, 1,
     "sign in as UPN for the authenticated web walk (password from --password-file or "
     "LYNCCHECK_PASSWORD)"},
    {"password-file", O_PASSWORD_FILE, "FILE", 0, 1,
     "the --user password: the first line of FILE, which must not be readable by group or "
     "others (mode 0600)"},
    {"config", O_CONFIG, "SITEFILE", 0, 0,
     "read options from a site file of 'long-option = value' lines"},
    {"only", O_ONLY, "GLOB", 1, 1, "run only the checks whose id matches (repeatable)"},
    {"skip", O_SKIP, "GLOB", 1, 1, "skip the checks whose id matches (repeatable)"},
    {"format", O_FORMAT, "FORMAT", 0, 1,
     "format of the report on --output: text (default), json, junit, html, nagios, prometheus"},
    {"output", O_OUTPUT, "FILE", 0, 1, "write the report there instead of standard output"},
    {"report", O_REPORT, "FORMAT:FILE", 1, 1, "also write a report in FORMAT to FILE (repeatable)"},
    {"baseline", O_BASELINE, "FILE", 0, 1,
     "an earlier JSON report of this site and profile: every report says what is new, fixed, "
     "still failing and changed since then"},
    {"timeout", O_TIMEOUT, "SEC", 0, 1, "time limit of each check (default 5)"},
    {"deadline", O_DEADLINE, "SEC", 0, 1, "time limit of the whole run, 0 for none (default 120)"},
    {"parallel", O_PARALLEL, "N", 0, 1, "checks running at once (default 64)"},
    {"port-ranges", O_PORT_RANGES, "full|sample|none", 0, 1,
     "probe media port ranges fully, by a sample of ports, or not (default full)"},
    {"cert-warn-days", O_CERT_WARN_DAYS, "DAYS", 0, 1,
     "warn when a certificate expires within DAYS (default 30)"},
    {"list-profiles", O_LIST_PROFILES, NULL, 0, 0, "list the profiles and exit"},
    {"list-checks", O_LIST_CHECKS, NULL, 0, 0, "list the checks the profile would run, and exit"},
    {"verbose", O_VERBOSE, NULL, 0, 0, "more detail: evidence and references in the text report"},
    {"version", O_VERSION, NULL, 0, 0, "print the version and exit"},
    {"help", O_HELP, NULL, 0, 0, "print this help and exit"},
};

#define LC_N_OPTDEFS (sizeof(lc_optdefs) / sizeof(lc_optdefs[0]))

static const struct lc_optdef *lc_optdef_by_id(int id)
{
    size_t i;

    for (i = 0; i < LC_N_OPTDEFS; i++)
        if (lc_optdefs[i].id == id)
            return &lc_optdefs[i];
    return NULL;
}

static const struct lc_optdef *lc_optdef_by_name(const char *name)
{
    size_t i;

    for (i = 0; i < LC_N_OPTDEFS; i++)
        if (strcmp(lc_optdefs[i].name, name) == 0)
            return &lc_optdefs[i];
    return NULL;
}

void lc_cli_usage(FILE *out)
{
    size_t i;

    fprintf(out, "Usage: lynccheck --sip-domain DOMAIN [options]\n"
                 "Check a Lync Server 2013 / Skype for Business Server external access deployment\n"
                 "(DNS, certificates, ports, web services) from outside, as a client sees it.\n\n");
    for (i = 0; i < LC_N_OPTDEFS; i++) {
        const struct lc_optdef *d = &lc_optdefs[i];
        char left[64];
        if (d->id < 256)
            snprintf(left, sizeof(left), "-%c, --%s%s%s", d->id, d->name, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        else
            snprintf(left, sizeof(left), "    --%s%s%s", d->name, d->arg ? " " : "",
                     d->arg ? d->arg : "");
        fprintf(out, "  %-38s %s\n", left, d->help);
    }
    fprintf(out, "\nExit status: 0 all passed; 1 a check warned; 2 a check failed;\n"
                 "3 a check could not run, or a usage error (Nagios convention).\n"
                 "Site file: the long options above as 'name = value' lines, '#' comments,\n"
                 "repeated keys for lists; the command line overrides it. See lynccheck(1).\n");
}

const char *lc_format_name(enum lc_format f)
{
    switch (f) {
    case LC_FMT_JSON:
        return "json";
    case LC_FMT_JUNIT:
        return "junit";
    case LC_FMT_HTML:
        return "html";
    case LC_FMT_NAGIOS:
        return "nagios";
    case LC_FMT_PROMETHEUS:
        return "prometheus";
    case LC_FMT_TEXT:
    default:
        return "text";
    }
}

static int lc_format_parse(const char *s, enum lc_format *out)
{
    if (strcmp(s, "text") == 0)
        *out = LC_FMT_TEXT;
    else if (strcmp(s, "json") == 0)
        *out = LC_FMT_JSON;
    else if (strcmp(s, "junit") == 0)
        *out = LC_FMT_JUNIT;
    else if (strcmp(s, "html") == 0)
        *out = LC_FMT_HTML;
    else if (strcmp(s, "nagios") == 0)
        *out = LC_FMT_NAGIOS;
    else if (strcmp(s, "prometheus") == 0)
        *out = LC_FMT_PROMETHEUS;
    else
        return -1;
    return 0;
}

int lc_parse_seconds(const char *s, uint64_t min_us, uint64_t max_us, uint64_t *out)
{
    uint64_t whole = 0, frac = 0, scale = 100000;
    const char *p = s;
    int digits = 0;

    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (whole > 10000000u)
            return -1;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
            if (scale == 0)
                return -1; /* more than microsecond precision is noise */
            frac += (uint64_t)(*p - '0') * scale;
            scale /= 10;
        }
    }
    if (digits == 0 || *p != '\0')
        return -1;
    whole = whole * 1000000u + frac;
    if (whole < min_us || whole > max_us)
        return -1;
    *out = whole;
    return 0;
}

/* IP, IP:PORT or [IPv6]:PORT, as c-ares' server list takes them. */
static int lc_dns_server_ok(const char *s)
{
    char host[64];
    const char *port = NULL;
    unsigned char buf[16];
    long p;

    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        size_t len;
        if (end == NULL || (len = (size_t)(end - s - 1)) >= sizeof(host))
            return 0;
        memcpy(host, s + 1, len);
        host[len] = '\0';
        if (end[1] == ':')
            port = end + 2;
        else if (end[1] != '\0')
            return 0;
        if (inet_pton(AF_INET6, host, buf) != 1)
            return 0;
    } else {
        const char *colon = strchr(s, ':');
        size_t len = colon != NULL ? (size_t)(colon - s) : strlen(s);
        if (len >= sizeof(host))
            return 0;
        memcpy(host, s, len);
        host[len] = '\0';
        if (colon != NULL && strchr(colon + 1, ':') != NULL) {
            /* A bare IPv6 address without port. */
            return inet_pton(AF_INET6, s, buf) == 1;
        }
        if (inet_pton(AF_INET, host, buf) != 1)
            return 0;
        if (colon != NULL)
            port = colon + 1;
    }
    return port == NULL || lc_parse_long(port, 1, 65535, &p) == 0;
}

static int lc_set_string(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (copy == NULL)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

/* --sip-domains-file: one domain a line, blank lines and '#' comments
 * skipped; each must be an FQDN and new. Errors say file:line. Hosting
 * providers check hundreds of domains this way in one run. */
static int lc_cli_domains_file(struct lc_cli *cli, const char *path, char *why, size_t len)
{
    char err[256];
    char *text = lc_text_file_read(path, err, sizeof(err));
    char *line, *save = NULL;
    unsigned lineno = 0;
    int rc = -1;

    if (text == NULL) {
        snprintf(why, len, "--sip-domains-file: %s", err);
        return -1;
    }
    /* strtok_r would merge empty lines and shift the numbers: walk by hand. */
    for (line = text; line != NULL; line = save) {
        char *nl = strchr(line, '\n'), *hash, *s, *e, *fqdn;
        const char *bad = NULL;

        save = nl != NULL ? nl + 1 : NULL;
        if (nl != NULL)
            *nl = '\0';
        lineno++;
        hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        for (s = line; *s == ' ' || *s == '\t'; s++)
            ;
        for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
            ;
        *e = '\0';
        if (*s == '\0')
            continue;
        fqdn = lc_fqdn_normalize(s, &bad);
        if (fqdn == NULL || strchr(fqdn, '.') == NULL) {
            snprintf(why, len, "%s:%u: '%.100s' is not a SIP domain: %s", path, lineno, s,
                     fqdn == NULL ? bad : "not fully qualified (no dot)");
            free(fqdn);
            goto done;
        }
        if (lc_strv_contains(&cli->site.sip_domains, fqdn)) {
            snprintf(why, len, "%s:%u: SIP domain '%s' given twice", path, lineno, fqdn);
            free(fqdn);
            goto done;
        }
        if (lc_strv_push(&cli->site.sip_domains, fqdn) < 0) {
            snprintf(why, len, "out of memory");
            free(fqdn);
            goto done;
        }
        free(fqdn);
    }
    rc = 0;
done:
    free(text);
    return rc;
}

/* value as a normalized FQDN, or NULL with the reason in why. */
static char *lc_cli_fqdn(const struct lc_optdef *d, const char *value, char *why, size_t len)
{
    const char *bad = NULL;
    char *fqdn = lc_fqdn_normalize(value, &bad);

    if (fqdn == NULL) {
        snprintf(why, len, "--%s: '%s' is not a valid FQDN: %s", d->name, value, bad);
        return NULL;
    }
    if (strchr(fqdn, '.') == NULL) {
        snprintf(why, len, "--%s: '%s' is not fully qualified (no dot)", d->name, value);
        free(fqdn);
        return NULL;
    }
    return fqdn;
}

/* Apply one option. `fresh` says this is the first command-line use of a
 * list option, which replaces what the site file said. */
static int lc_cli_apply(struct lc_cli *cli, const struct lc_optdef *d, const char *value, int fresh,
                        char *why, size_t len)
{
    char *fqdn = NULL;
    int rc = -1;

    switch (d->id) {
    case O_ACCESS_EDGE:
    case O_WEBCONF_EDGE:
    case O_AV_EDGE:
    case O_WEB_EXTERNAL:
    case O_DIRECTOR:
    case O_OWA:
    case O_MEET:
    case O_DIALIN:
    case O_EDGE_INTERNAL:
    case O_FRONT_END:
    case O_DIRECTOR_POOL:
    case O_MEDIATION:
        /* A role given as an address is probed directly (no DNS lookup);
         * canonical text, so one address makes one check id. */
        if (lc_is_ip_literal(value)) {
            fqdn = lc_ip_canonical(value);
            if (fqdn == NULL) {
                snprintf(why, len, "out of memory");
                goto done;
            }
        } else if ((fqdn = lc_cli_fqdn(d, value, why, len)) == NULL) {
            goto done;
        }
        break;
    case O_SIP_DOMAIN:
        if ((fqdn = lc_cli_fqdn(d, value, why, len)) == NULL)
            goto done;
        break;
    default:
        break;
    }
    switch (d->id) {
    case O_PROFILE:
        rc = lc_set_string(&cli->profile, value);
        break;
    case O_SIP_DOMAIN:
        if (fresh)
            lc_strv_clear(&cli->site.sip_domains);
        if (lc_strv_contains(&cli->site.sip_domains, fqdn)) {
            snprintf(why, len, "--sip-domain: '%s' given twice", fqdn);
            goto done;
        }
        rc = lc_strv_push(&cli->site.sip_domains, fqdn);
        break;
    case O_SIP_DOMAINS_FILE:
        if (fresh)
            lc_strv_clear(&cli->site.sip_domains);
        rc = lc_cli_domains_file(cli, value, why, len);
        if (rc < 0)
            goto done;
        break;
    case O_ACCESS_EDGE:
        rc = lc_set_string(&cli->site.access_edge, fqdn);
        cli->site.access_edge_src = LC_SRC_GIVEN;
        break;
    case O_WEBCONF_EDGE:
        rc = lc_set_string(&cli->site.webconf_edge, fqdn);
        break;
    case O_AV_EDGE:
        rc = lc_set_string(&cli->site.av_edge, fqdn);
        break;
    case O_WEB_EXTERNAL:
    case O_DIRECTOR:
    case O_MEET: {
        struct lc_strv *sv = d->id == O_WEB_EXTERNAL ? &cli->site.web_external
                             : d->id == O_DIRECTOR   ? &cli->site.director_web_external
                                                     : &cli->site.meet;
        if (fresh)
            lc_strv_clear(sv);
        rc = lc_strv_contains(sv, fqdn) ? 0 : lc_strv_push(sv, fqdn);
        if (d->id == O_MEET)
            cli->site.meet_src = LC_SRC_GIVEN;
        break;
    }
    case O_OWA:
        rc = lc_set_string(&cli->site.owa, fqdn);
        break;
    case O_DIALIN:
        rc = lc_set_string(&cli->site.dialin, fqdn);
        cli->site.dialin_src = LC_SRC_GIVEN;
        break;
    case O_EDGE_INTERNAL:
        rc = lc_set_string(&cli->site.edge_internal, fqdn);
        break;
    case O_FRONT_END:
        rc = lc_set_string(&cli->site.front_end, fqdn);
        break;
    case O_DIRECTOR_POOL:
        rc = lc_set_string(&cli->site.director, fqdn);
        break;
    case O_MEDIATION:
        rc = lc_set_string(&cli->site.mediation, fqdn);
        break;
    case O_PORT_RANGES:
        if (strcmp(value, "full") == 0)
            cli->port_ranges = LC_RANGES_FULL;
        else if (strcmp(value, "sample") == 0)
            cli->port_ranges = LC_RANGES_SAMPLE;
        else if (strcmp(value, "none") == 0)
            cli->port_ranges = LC_RANGES_NONE;
        else {
            snprintf(why, len, "--port-ranges wants full, sample or none, not '%s'", value);
            goto done;
        }
        rc = 0;
        break;
    case O_XMPP:
        if (lc_parse_bool(value, &cli->site.xmpp) < 0) {
            snprintf(why, len, "--xmpp wants yes or no, not '%s'", value);
            goto done;
        }
        rc = 0;
        break;
    case O_DNS_SERVER:
        if (!lc_dns_server_ok(value)) {
            snprintf(why, len, "--dns-server: '%s' is not IP, IP:PORT or [IPv6]:PORT", value);
            goto done;
        }
        if (fresh)
            lc_strv_clear(&cli->dns_servers);
        rc = lc_strv_push(&cli->dns_servers, value);
        break;
    case O_RESOLVE:
        if (fresh)
            lc_site_clear_pins(&cli->site);
        rc = lc_site_add_pin(&cli->site, value, why, len);
        if (rc < 0)
            goto done;
        break;
    case O_CA_FILE:
        rc = lc_set_string(&cli->ca_file, value);
        break;
    case O_USER:
        if (value[0] == '\0' || strlen(value) > 256 || strpbrk(value, " \t\r\n") != NULL) {
            snprintf(why, len, "--user: '%s' is not a user principal name", value);
            goto done;
        }
        rc = lc_set_string(&cli->site.web_user, value);
        break;
    case O_PASSWORD_FILE:
        rc = lc_set_string(&cli->password_file, value);
        break;
    case O_CONFIG:
        rc = lc_set_string(&cli->config, value);
        break;
    case O_ONLY:
    case O_SKIP:
        if (fresh)
            lc_strv_clear(d->id == O_ONLY ? &cli->only : &cli->skip);
        rc = lc_strv_push(d->id == O_ONLY ? &cli->only : &cli->skip, value);
        break;
    case O_FORMAT:
        if (lc_format_parse(value, &cli->format) < 0) {
            snprintf(why, len,
                     "--format wants text, json, junit, html, nagios or prometheus, not '%s'",
                     value);
            goto done;
        }
        rc = 0;
        break;
    case O_OUTPUT:
        rc = lc_set_string(&cli->output, value);
        break;
    case O_BASELINE:
        rc = lc_set_string(&cli->baseline, value);
        break;
    case O_REPORT: {
        const char *colon = strchr(value, ':');
        char fmt[16];
        struct lc_report_target *r;
        size_t flen = colon != NULL ? (size_t)(colon - value) : 0;

        if (colon == NULL || flen >= sizeof(fmt) || colon[1] == '\0') {
            snprintf(why, len, "--report wants FORMAT:FILE, not '%s'", value);
            goto done;
        }
        memcpy(fmt, value, flen);
        fmt[flen] = '\0';
        if (fresh) {
            size_t i;
            for (i = 0; i < cli->n_reports; i++)
                free(cli->reports[i].path);
            cli->n_reports = 0;
        }
        r = realloc(cli->reports, (cli->n_reports + 1) * sizeof(*r));
        if (r == NULL)
            break;
        cli->reports = r;
        r = &cli->reports[cli->n_reports];
        if (lc_format_parse(fmt, &r->format) < 0) {
            snprintf(why, len,
                     "--report: unknown format '%s' (text, json, junit, html, nagios, prometheus)",
                     fmt);
            goto done;
        }
        r->path = strdup(colon + 1);
        if (r->path == NULL)
            break;
        cli->n_reports++;
        rc = 0;
        break;
    }
    case O_TIMEOUT:
        if (lc_parse_seconds(value, 100000u, 3600000000u, &cli->timeout_us) < 0) {
            snprintf(why, len, "--timeout wants seconds from 0.1 to 3600, not '%s'", value);
            goto done;
        }
        rc = 0;
        break;
    case O_DEADLINE:
        if (lc_parse_seconds(value, 0, 86400000000u, &cli->deadline_us) < 0) {
            snprintf(why, len, "--deadline wants seconds from 0 to 86400, not '%s'", value);
            goto done;
        }
        rc = 0;
        break;
    case O_PARALLEL: {
        long n;
        if (lc_parse_long(value, 1, 4096, &n) < 0) {
            snprintf(why, len, "--parallel wants a number from 1 to 4096, not '%s'", value);
            goto done;
        }
        cli->parallel = (unsigned)n;
        rc = 0;
        break;
    }
    case O_CERT_WARN_DAYS: {
        long n;
        if (lc_parse_long(value, 0, 3650, &n) < 0) {
            snprintf(why, len, "--cert-warn-days wants a number from 0 to 3650, not '%s'", value);
            goto done;
        }
        cli->cert_warn_days = (int)n;
        rc = 0;
        break;
    }
    case O_LIST_PROFILES:
        cli->list_profiles = 1;
        rc = 0;
        break;
    case O_LIST_CHECKS:
        cli->list_checks = 1;
        rc = 0;
        break;
    case O_VERBOSE:
        cli->verbose++;
        rc = 0;
        break;
    case O_VERSION:
        cli->version = 1;
        rc = 0;
        break;
    case O_HELP:
        cli->help = 1;
        rc = 0;
        break;
    default:
        snprintf(why, len, "internal: unhandled option --%s", d->name);
        goto done;
    }
    if (rc < 0)
        snprintf(why, len, "out of memory");
done:
    free(fqdn);
    return rc;
}

struct lc_site_parse {
    struct lc_cli *cli;
    unsigned char seen[512]; /* single-valued keys already given, by option id */
    char err[512];
};

static int lc_site_fail(struct lc_site_parse *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int lc_site_fail(struct lc_site_parse *st, const char *fmt, ...)
{
    va_list ap;

    if (st->err[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(st->err, sizeof(st->err), fmt, ap);
        va_end(ap);
    }
    return 0;
}

static int lc_site_on_entry(void *user, const char *section, const char *name, const char *value)
{
    struct lc_site_parse *st = user;
    const struct lc_optdef *d;
    char why[512];

    if (section[0] != '\0')
        return lc_site_fail(st, "sections ([%s]) are not used in a site file", section);
    d = lc_optdef_by_name(name);
    if (d == NULL)
        return lc_site_fail(st, "unknown key '%s' (the long option names of lynccheck(1))", name);
    if (!d->site_ok)
        return lc_site_fail(st, "'%s' belongs on the command line, not in a site file", name);
    if (value[0] == '\0')
        return lc_site_fail(st, "'%s' has no value", name);
    /* A second value for a single-valued key is a typo or a merge gone
     * wrong: which one was meant is not ours to guess. */
    if (!d->list && d->id >= 0 && d->id < (int)sizeof(st->seen)) {
        if (st->seen[d->id])
            return lc_site_fail(st, "'%s' given twice (it takes one value)", name);
        st->seen[d->id] = 1;
    }
    if (lc_cli_apply(st->cli, d, value, 0, why, sizeof(why)) < 0)
        return lc_site_fail(st, "%s", why);
    return 1;
}

int lc_cli_parse_site(struct lc_cli *cli, const char *text, const char *origin, char *err,
                      size_t errlen)
{
    struct lc_site_parse st;
    int line;

    memset(&st, 0, sizeof(st));
    st.cli = cli;
    if (lc_text_check_lines(text, origin, err, errlen) < 0)
        return -1;
    line = ini_parse_string(text, lc_site_on_entry, &st);
    if (line != 0) {
        snprintf(err, errlen, "%s:%d: %s", origin, line,
                 st.err[0] ? st.err : "syntax error (expected 'name = value')");
        return -1;
    }
    return 0;
}

void lc_cli_clear(struct lc_cli *cli)
{
    size_t i;

    lc_site_clear(&cli->site);
    free(cli->profile);
    lc_strv_clear(&cli->dns_servers);
    free(cli->ca_file);
    lc_strv_clear(&cli->only);
    lc_strv_clear(&cli->skip);
    free(cli->output);
    free(cli->baseline);
    for (i = 0; i < cli->n_reports; i++)
        free(cli->reports[i].path);
    free(cli->reports);
    free(cli->config);
    free(cli->password_file);
    memset(cli, 0, sizeof(*cli));
}

/* The --user password: from --password-file (a regular file that group
 * and others cannot read, first line) or LYNCCHECK_PASSWORD; never from
 * the command line, where ps would show it. Messages never contain it. */
static int lc_cli_password(struct lc_cli *cli, char *err, size_t errlen)
{
    const char *env = getenv("LYNCCHECK_PASSWORD");
    char buf[1025];
    struct stat st;
    FILE *f = NULL;
    size_t n;
    int fd = -1, rc = -1;

    if (cli->site.web_user == NULL) {
        if (cli->password_file != NULL) {
            snprintf(err, errlen, "--password-file needs --user");
            return -1;
        }
        return 0;
    }
    if (cli->password_file == NULL) {
        if (env == NULL || env[0] == '\0') {
            snprintf(err, errlen,
                     "--user needs a password: --password-file FILE or the "
                     "LYNCCHECK_PASSWORD environment variable");
            return -1;
        }
        return lc_set_string(&cli->site.web_password, env) < 0 ? -1 : 0;
    }
    fd = open(cli->password_file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errlen, "--password-file %s: %s", cli->password_file, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0) {
        snprintf(err, errlen,
                 "--password-file %s: must be a regular file readable by its owner only "
                 "(chmod 600)",
                 cli->password_file);
        goto done;
    }
    f = fdopen(fd, "r");
    if (f == NULL) {
        snprintf(err, errlen, "--password-file %s: %s", cli->password_file, strerror(errno));
        goto done;
    }
    fd = -1;
    if (fgets(buf, sizeof(buf), f) == NULL) {
        snprintf(err, errlen, "--password-file %s: empty", cli->password_file);
        goto done;
    }
    n = strcspn(buf, "\r\n");
    if (n == sizeof(buf) - 1) {
        snprintf(err, errlen, "--password-file %s: the first line is too long", cli->password_file);
        goto done;
    }
    buf[n] = '\0';
    if (n == 0) {
        snprintf(err, errlen, "--password-file %s: the first line is empty", cli->password_file);
        goto done;
    }
    rc = lc_set_string(&cli->site.web_password, buf) < 0 ? -1 : 0;
    if (rc < 0)
        snprintf(err, errlen, "out of memory");
done:
    OPENSSL_cleanse(buf, sizeof(buf));
    if (f != NULL)
        fclose(f);
    if (fd >= 0)
        close(fd);
    return rc;
}

struct lc_argval {
    const struct lc_optdef *d;
    const char *value;
};

int lc_cli_parse(struct lc_cli *cli, int argc, char **argv, char *err, size_t errlen)
{
    struct option longopts[LC_N_OPTDEFS + 1];
    struct lc_argval *vals = NULL;
    size_t n_vals = 0, i;
    int c, rc = -1, seen[512];
    char why[512];

    memset(cli, 0, sizeof(*cli));
    cli->timeout_us = 5000000u;
    cli->deadline_us = 120000000u;
    cli->parallel = 64;
    cli->cert_warn_days = 30;
    memset(longopts, 0, sizeof(longopts));
    for (i = 0; i < LC_N_OPTDEFS; i++) {
        longopts[i].name = lc_optdefs[i].name;
        longopts[i].has_arg = lc_optdefs[i].arg ? required_argument : no_argument;
        longopts[i].val = lc_optdefs[i].id;
    }
    vals = calloc((size_t)argc + 1, sizeof(*vals));
    if (vals == NULL) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    /* First pass: collect, so the site file can be read before the command
     * line is applied over it. */
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":vVh", longopts, NULL)) != -1) {
        const struct lc_optdef *d;
        if (c == '?') {
            if (optopt != 0)
                snprintf(err, errlen, "unknown option '-%c' (see --help)", optopt);
            else
                snprintf(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
            goto done;
        }
        if (c == ':') {
            snprintf(err, errlen, "option '%s' needs a value (see --help)", argv[optind - 1]);
            goto done;
        }
        d = lc_optdef_by_id(c);
        if (d == NULL) {
            snprintf(err, errlen, "internal: option %d", c);
            goto done;
        }
        vals[n_vals].d = d;
        vals[n_vals].value = optarg;
        n_vals++;
    }
    if (optind < argc) {
        snprintf(err, errlen, "unexpected argument '%s' (options only; see --help)", argv[optind]);
        goto done;
    }
    for (i = 0; i < n_vals; i++) {
        if (vals[i].d->id == O_CONFIG &&
            lc_cli_apply(cli, vals[i].d, vals[i].value, 0, err, errlen) < 0)
            goto done;
    }
    if (cli->config != NULL) {
        char *text = lc_text_file_read(cli->config, err, errlen);
        if (text == NULL)
            goto done;
        if (lc_cli_parse_site(cli, text, cli->config, err, errlen) < 0) {
            free(text);
            goto done;
        }
        free(text);
    }
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < n_vals; i++) {
        const struct lc_optdef *d = vals[i].d;
        int fresh = 0;
        if (d->id == O_CONFIG)
            continue;
        /* --sip-domain and --sip-domains-file fill one list: the first of
         * either on the command line replaces the site file's domains. */
        int key = d->id == O_SIP_DOMAINS_FILE ? O_SIP_DOMAIN : d->id;
        if (d->list && key < 512 && !seen[key]) {
            fresh = 1;
            seen[key] = 1;
        }
        if (lc_cli_apply(cli, d, vals[i].value != NULL ? vals[i].value : "", fresh, why,
                         sizeof(why)) < 0) {
            snprintf(err, errlen, "%s", why);
            goto done;
        }
    }
    if (lc_cli_password(cli, err, errlen) < 0)
        goto done;
    rc = 0;
done:
    free(vals);
    return rc;
}
