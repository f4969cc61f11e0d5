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
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "msg.h"
#include "probe.h"
#include "report.h"
#include "run.h"

enum lc_opt_id {
    O_PROFILE = 256,
    O_SIP_DOMAIN,
    O_SIP_DOMAINS_FILE,
    O_ACCESS_EDGE,
    O_WEBCONF_EDGE,
    O_AV_EDGE,
    O_WEB_EXTERNAL,
    O_DIRECTOR_WEB_EXTERNAL,
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
    O_DIRECTOR,
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

/* What an option's value is, and so how lc_cli_apply() stores it at the
 * option's offset in struct lc_cli. */
enum lc_optkind {
    LC_CLI_FLAG,    /* int, set to 1 */
    LC_CLI_COUNT,   /* int, one more each time (-v -v) */
    LC_CLI_STRING,  /* char *, a copy of the value */
    LC_CLI_ROLE,    /* char *, an FQDN (normalized) or an address (canonical) */
    LC_CLI_ROLES,   /* struct lc_strv of ROLE values, each once */
    LC_CLI_GLOBS,   /* struct lc_strv of the values as given */
    LC_CLI_SECONDS, /* uint64_t microseconds, from min to max */
    LC_CLI_NUMBER,  /* int (or unsigned int), from min to max */
    LC_CLI_BOOL,    /* int, yes or no (lc_parse_bool) */
    LC_CLI_WORD,    /* int, the value of one of words[] */
    LC_CLI_FORMAT,  /* const struct lc_reporter *, by name (report.h) */
    LC_CLI_CUSTOM,  /* the option's own apply() */
};

struct lc_optword {
    const char *word;
    int value;
};

struct lc_optdef;
typedef int lc_opt_apply_fn(struct lc_cli *cli, const struct lc_optdef *d, const char *value,
                            int fresh, char *why, size_t len);

struct lc_optdef {
    const char *name;
    int id;
    const char *arg; /* NULL: a flag */
    int list;        /* may repeat; accumulates */
    int site_ok;     /* allowed in a site file */
    const char *help;
    enum lc_optkind kind;
    size_t off;         /* offsetof() the value in struct lc_cli */
    size_t given_off;   /* ROLE, ROLES: an enum lc_source set to LC_SRC_GIVEN (0: none) */
    long long min, max; /* SECONDS (microseconds), NUMBER */
    const char *wants;  /* SECONDS, NUMBER: "seconds from 0.1 to 3600" */
    const struct lc_optword *words; /* WORD: the choices, NULL-ended */
    lc_opt_apply_fn *apply;         /* CUSTOM */
};

static lc_opt_apply_fn lc_opt_sip_domain, lc_opt_domains_file, lc_opt_dns_server, lc_opt_resolve,
    lc_opt_user, lc_opt_report;

static const struct lc_optword lc_ranges_words[] = {
    {"full", LC_RANGES_FULL}, {"sample", LC_RANGES_SAMPLE}, {"none", LC_RANGES_NONE}, {NULL, 0}};

/* The table's rows by kind; the value lives at LC_OFF(field). */
#define LC_OFF(field) offsetof(struct lc_cli, field)
#define LC_ROLE(nm, i, field, src, help_)                                                          \
    {                                                                                              \
        .name = nm, .id = i, .arg = "FQDN|IP", .site_ok = 1, .help = help_, .kind = LC_CLI_ROLE,   \
        .off = LC_OFF(site.field), .given_off = src                                                \
    }
#define LC_ROLES(nm, i, field, src, help_)                                                         \
    {                                                                                              \
        .name = nm, .id = i, .arg = "FQDN|IP", .list = 1, .site_ok = 1, .help = help_,             \
        .kind = LC_CLI_ROLES, .off = LC_OFF(site.field), .given_off = src                          \
    }
#define LC_STRING(nm, i, a, field, site, help_)                                                    \
    {                                                                                              \
        .name = nm, .id = i, .arg = a, .site_ok = site, .help = help_, .kind = LC_CLI_STRING,      \
        .off = LC_OFF(field)                                                                       \
    }
#define LC_GLOBS(nm, i, field, help_)                                                              \
    {                                                                                              \
        .name = nm, .id = i, .arg = "GLOB", .list = 1, .site_ok = 1, .help = help_,                \
        .kind = LC_CLI_GLOBS, .off = LC_OFF(field)                                                 \
    }
#define LC_RANGE(nm, i, a, k, field, lo, hi, wants_, help_)                                        \
    {                                                                                              \
        .name = nm, .id = i, .arg = a, .site_ok = 1, .help = help_, .kind = k,                     \
        .off = LC_OFF(field), .min = lo, .max = hi, .wants = wants_                                \
    }
#define LC_CUSTOM(nm, i, a, lst, fn, help_)                                                        \
    {                                                                                              \
        .name = nm, .id = i, .arg = a, .list = lst, .site_ok = 1, .help = help_,                   \
        .kind = LC_CLI_CUSTOM, .apply = fn                                                         \
    }
#define LC_FLAG(nm, i, k, field, help_)                                                            \
    {                                                                                              \
        .name = nm, .id = i, .help = help_, .kind = k, .off = LC_OFF(field)                        \
    }

/* One table: getopt_long's options, the site file's keys, --help, and how
 * lc_cli_apply() checks and stores each value. */
// clang-format off
static const struct lc_optdef lc_optdefs[] = {
    LC_STRING("profile", O_PROFILE, "NAME|FILE", profile, 1, "profile to run (default: external)"),
    LC_CUSTOM("sip-domain", O_SIP_DOMAIN, "DOMAIN", 1, lc_opt_sip_domain,
              "SIP domain to check (repeat for several)"),
    LC_CUSTOM("sip-domains-file", O_SIP_DOMAINS_FILE, "FILE", 1, lc_opt_domains_file,
              "more SIP domains, one per line ('#' comments); all domains share one run"),
    LC_ROLE("access-edge", O_ACCESS_EDGE, access_edge, LC_OFF(site.access_edge_src),
            "Access Edge external FQDN (default: target of _sip._tls.<first domain>, else "
            "sip.<first domain>); an IP address is probed directly, without DNS"),
    LC_ROLE("webconf-edge", O_WEBCONF_EDGE, webconf_edge, 0, "Web Conferencing Edge external FQDN"),
    LC_ROLE("av-edge", O_AV_EDGE, av_edge, 0, "A/V Edge external FQDN"),
    LC_ROLES("web-external", O_WEB_EXTERNAL, web_external, 0,
             "Front End pool external web services FQDN (repeat per pool)"),
    LC_ROLES("director-web-external", O_DIRECTOR_WEB_EXTERNAL, director_web_external, 0,
             "Director pool external web services FQDN (repeat per pool)"),
    LC_ROLE("owa", O_OWA, owa, 0, "Office Web Apps Server external FQDN"),
    LC_ROLES("meet", O_MEET, meet, LC_OFF(site.meet_src),
             "meet simple URL host (default: meet.<each domain>)"),
    LC_ROLE("dialin", O_DIALIN, dialin, LC_OFF(site.dialin_src),
            "dial-in simple URL host (default: dialin.<first domain>)"),
    {.name = "xmpp", .id = O_XMPP, .arg = "yes|no", .site_ok = 1,
     .help = "XMPP federation in use (default: no)", .kind = LC_CLI_BOOL,
     .off = LC_OFF(site.xmpp)},
    LC_ROLE("edge-internal", O_EDGE_INTERNAL, edge_internal, 0,
            "Edge internal interface FQDN (edge-internal profile)"),
    LC_ROLE("front-end", O_FRONT_END, front_end, 0, "Front End pool FQDN (internal profile)"),
    LC_ROLE("director", O_DIRECTOR, director, 0, "Director pool internal FQDN (internal profile)"),
    LC_ROLE("mediation", O_MEDIATION, mediation, 0, "Mediation pool FQDN (internal profile)"),
    LC_CUSTOM("dns-server", O_DNS_SERVER, "IP[:PORT]", 1, lc_opt_dns_server,
              "resolve through this DNS server instead of the system's (repeat for several)"),
    LC_CUSTOM("resolve", O_RESOLVE, "NAME:ADDR[,ADDR...]", 1, lc_opt_resolve,
              "pin NAME to these addresses for this run, without asking DNS (like curl's "
              "--resolve; repeat per name; SRV records are not pinned)"),
    LC_STRING("ca-file", O_CA_FILE, "PEM", ca_file, 1,
              "extra trust anchors, added to the system store"),
    LC_CUSTOM("user", O_USER, "UPN", 0, lc_opt_user,
              "sign in as UPN: the authenticated web walk and the signin probe (web ticket, user "
              "certificate, address book, SIP registration); password from --password-file or "
              "LYNCCHECK_PASSWORD"),
    LC_STRING("password-file", O_PASSWORD_FILE, "FILE", password_file, 1,
              "the --user password: the first line of FILE, which must not be readable by group "
              "or others (mode 0600)"),
    LC_STRING("config", O_CONFIG, "SITEFILE", config, 0,
              "read options from a site file of 'long-option = value' lines"),
    LC_GLOBS("only", O_ONLY, only, "run only the checks whose id matches (repeatable)"),
    LC_GLOBS("skip", O_SKIP, skip, "skip the checks whose id matches (repeatable)"),
    /* --help appends the names in lc_reporters[]. */
    {.name = "format", .id = O_FORMAT, .arg = "FORMAT", .site_ok = 1,
     .help = "format of the report on --output: ", .kind = LC_CLI_FORMAT, .off = LC_OFF(format)},
    LC_STRING("output", O_OUTPUT, "FILE", output, 1,
              "write the report there instead of standard output"),
    LC_CUSTOM("report", O_REPORT, "FORMAT:FILE", 1, lc_opt_report,
              "also write a report in FORMAT to FILE (repeatable)"),
    LC_STRING("baseline", O_BASELINE, "FILE", baseline, 1,
              "an earlier JSON report of this site and profile: every report says what is new, "
              "fixed, still failing and changed since then"),
    LC_RANGE("timeout", O_TIMEOUT, "SEC", LC_CLI_SECONDS, timeout_us, 100000, 3600000000LL,
             "seconds from 0.1 to 3600", "time limit of each check (default 5)"),
    LC_RANGE("deadline", O_DEADLINE, "SEC", LC_CLI_SECONDS, deadline_us, 0, 86400000000LL,
             "seconds from 0 to 86400", "time limit of the whole run, 0 for none (default 120)"),
    LC_RANGE("parallel", O_PARALLEL, "N", LC_CLI_NUMBER, parallel, 1, 4096,
             "a number from 1 to 4096", "checks running at once (default 64)"),
    {.name = "port-ranges", .id = O_PORT_RANGES, .arg = "full|sample|none", .site_ok = 1,
     .help = "probe media port ranges fully, by a sample of ports, or not (default full)",
     .kind = LC_CLI_WORD, .off = LC_OFF(port_ranges), .words = lc_ranges_words},
    LC_RANGE("cert-warn-days", O_CERT_WARN_DAYS, "DAYS", LC_CLI_NUMBER, cert_warn_days, 0, 3650,
             "a number from 0 to 3650", "warn when a certificate expires within DAYS (default 30)"),
    LC_FLAG("list-profiles", O_LIST_PROFILES, LC_CLI_FLAG, list_profiles,
            "list the profiles and exit"),
    LC_FLAG("list-checks", O_LIST_CHECKS, LC_CLI_FLAG, list_checks,
            "list the checks the profile would run, and exit"),
    LC_FLAG("verbose", O_VERBOSE, LC_CLI_COUNT, verbose,
            "more detail: evidence and references in the text report"),
    LC_FLAG("version", O_VERSION, LC_CLI_FLAG, version, "print the version and exit"),
    LC_FLAG("help", O_HELP, LC_CLI_FLAG, help, "print this help and exit"),
};
// clang-format on

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
        if (d->kind == LC_CLI_FORMAT) {
            char names[256];
            lc_reporter_names(names, sizeof(names), " (default)", ", ", ", ");
            fprintf(out, "  %-38s %s%s\n", left, d->help, names);
        } else {
            fprintf(out, "  %-38s %s\n", left, d->help);
        }
    }
    fprintf(out, "\nExit status: 0 all passed; 1 a check warned; 2 a check failed;\n"
                 "3 a check could not run, or a usage error (Nagios convention).\n"
                 "Site file: the long options above as 'name = value' lines, '#' comments,\n"
                 "repeated keys for lists; the command line overrides it. See lynccheck(1).\n");
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

/* The value of an option at its offset in struct lc_cli. */
#define LC_CLI_AT(cli, d, type) ((type *)(void *)((char *)(cli) + (d)->off))

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

/* A role's name: an address is probed directly (no DNS lookup), written
 * canonically so one address makes one check id; else a normalized FQDN. */
static char *lc_cli_role(const struct lc_optdef *d, const char *value, char *why, size_t len)
{
    char *name;

    if (!lc_is_ip_literal(value))
        return lc_cli_fqdn(d, value, why, len);
    name = lc_ip_canonical(value);
    if (name == NULL)
        snprintf(why, len, "out of memory");
    return name;
}

static int lc_opt_sip_domain(struct lc_cli *cli, const struct lc_optdef *d, const char *value,
                             int fresh, char *why, size_t len)
{
    char *fqdn = lc_cli_fqdn(d, value, why, len);
    int rc = -1;

    if (fqdn == NULL)
        return -1;
    if (fresh)
        lc_strv_clear(&cli->site.sip_domains);
    if (lc_strv_contains(&cli->site.sip_domains, fqdn))
        snprintf(why, len, "--%s: '%s' given twice", d->name, fqdn);
    else if ((rc = lc_strv_push(&cli->site.sip_domains, fqdn)) < 0)
        snprintf(why, len, "out of memory");
    free(fqdn);
    return rc;
}

/* --sip-domains-file: one domain a line, blank lines and '#' comments
 * skipped; each must be an FQDN and new. Errors say file:line. Hosting
 * providers check hundreds of domains this way in one run. */
static int lc_opt_domains_file(struct lc_cli *cli, const struct lc_optdef *d, const char *path,
                               int fresh, char *why, size_t len)
{
    char err[256];
    char *text = lc_text_file_read(path, err, sizeof(err));
    char *line, *save = NULL;
    unsigned lineno = 0;
    int rc = -1;

    if (text == NULL) {
        snprintf(why, len, "--%s: %s", d->name, err);
        return -1;
    }
    /* One list with --sip-domain: the first of either on the command line
     * replaces the site file's domains. */
    if (fresh)
        lc_strv_clear(&cli->site.sip_domains);
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

static int lc_opt_dns_server(struct lc_cli *cli, const struct lc_optdef *d, const char *value,
                             int fresh, char *why, size_t len)
{
    if (!lc_dns_server_ok(value)) {
        snprintf(why, len, "--%s: '%s' is not IP, IP:PORT or [IPv6]:PORT", d->name, value);
        return -1;
    }
    if (fresh)
        lc_strv_clear(&cli->dns_servers);
    if (lc_strv_push(&cli->dns_servers, value) < 0) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    return 0;
}

static int lc_opt_resolve(struct lc_cli *cli, const struct lc_optdef *d, const char *value,
                          int fresh, char *why, size_t len)
{
    (void)d;
    if (fresh)
        lc_site_clear_pins(&cli->site);
    return lc_site_add_pin(&cli->site, value, why, len);
}

static int lc_opt_user(struct lc_cli *cli, const struct lc_optdef *d, const char *value, int fresh,
                       char *why, size_t len)
{
    (void)fresh;
    if (value[0] == '\0' || strlen(value) > 256 || strpbrk(value, " \t\r\n") != NULL) {
        snprintf(why, len, "--%s: '%s' is not a user principal name", d->name, value);
        return -1;
    }
    if (lc_set_string(&cli->site.web_user, value) < 0) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    return 0;
}

/* --report FORMAT:FILE, FORMAT one of lc_reporters[]. */
static int lc_opt_report(struct lc_cli *cli, const struct lc_optdef *d, const char *value,
                         int fresh, char *why, size_t len)
{
    const char *colon = strchr(value, ':');
    size_t flen = colon != NULL ? (size_t)(colon - value) : 0;
    const struct lc_reporter *rep;
    struct lc_report_target *r;
    char fmt[16], names[256];

    if (colon == NULL || flen >= sizeof(fmt) || colon[1] == '\0') {
        snprintf(why, len, "--%s wants FORMAT:FILE, not '%s'", d->name, value);
        return -1;
    }
    memcpy(fmt, value, flen);
    fmt[flen] = '\0';
    if (fresh) {
        for (size_t i = 0; i < cli->n_reports; i++)
            free(cli->reports[i].path);
        cli->n_reports = 0;
    }
    rep = lc_reporter_find(fmt);
    if (rep == NULL) {
        lc_reporter_names(names, sizeof(names), NULL, ", ", ", ");
        snprintf(why, len, "--%s: unknown format '%s' (%s)", d->name, fmt, names);
        return -1;
    }
    r = realloc(cli->reports, (cli->n_reports + 1) * sizeof(*r));
    if (r == NULL) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    cli->reports = r;
    r = &cli->reports[cli->n_reports];
    r->format = rep;
    r->path = strdup(colon + 1);
    if (r->path == NULL) {
        snprintf(why, len, "out of memory");
        return -1;
    }
    cli->n_reports++;
    return 0;
}

/* "a, b or c" of the words, into buf. */
static void lc_cli_words(const struct lc_optword *words, char *buf, size_t len)
{
    size_t used = 0;

    buf[0] = '\0';
    for (const struct lc_optword *w = words; w->word != NULL; w++) {
        const char *sep = w == words ? "" : w[1].word == NULL ? " or " : ", ";
        int k = snprintf(buf + used, len - used, "%s%s", sep, w->word);
        if (k < 0 || (size_t)k >= len - used)
            return;
        used += (size_t)k;
    }
}

/* A value that needs only checking and converting: 0, or -1 with what the
 * option wants in wants (a buffer of wlen bytes). */
static int lc_cli_convert(struct lc_cli *cli, const struct lc_optdef *d, const char *value,
                          char *wants, size_t wlen)
{
    const struct lc_optword *w;
    const struct lc_reporter *rep;
    long n;

    snprintf(wants, wlen, "%s", d->wants != NULL ? d->wants : "");
    switch (d->kind) {
    case LC_CLI_SECONDS:
        return lc_parse_seconds(value, (uint64_t)d->min, (uint64_t)d->max,
                                LC_CLI_AT(cli, d, uint64_t));
    case LC_CLI_NUMBER:
        if (lc_parse_long(value, (long)d->min, (long)d->max, &n) < 0)
            return -1;
        /* int or unsigned int: the same representation for the values in
         * range (C11 6.2.5p9). */
        *LC_CLI_AT(cli, d, int) = (int)n;
        return 0;
    case LC_CLI_BOOL:
        snprintf(wants, wlen, "yes or no");
        return lc_parse_bool(value, LC_CLI_AT(cli, d, int));
    case LC_CLI_WORD:
        for (w = d->words; w->word != NULL; w++) {
            if (strcmp(w->word, value) == 0) {
                *LC_CLI_AT(cli, d, int) = w->value;
                return 0;
            }
        }
        lc_cli_words(d->words, wants, wlen);
        return -1;
    case LC_CLI_FORMAT:
        rep = lc_reporter_find(value);
        if (rep == NULL) {
            lc_reporter_names(wants, wlen, NULL, ", ", " or ");
            return -1;
        }
        *LC_CLI_AT(cli, d, const struct lc_reporter *) = rep;
        return 0;
    default:
        return -1;
    }
}

/* Apply one option by its kind (struct lc_optdef). `fresh` says this is
 * the first command-line use of a list option, which replaces what the
 * site file said. Returns 0, or -1 with the reason in why. */
static int lc_cli_apply(struct lc_cli *cli, const struct lc_optdef *d, const char *value, int fresh,
                        char *why, size_t len)
{
    struct lc_strv *sv = LC_CLI_AT(cli, d, struct lc_strv);
    char *name = NULL, wants[256];
    int rc = -1;

    switch (d->kind) {
    case LC_CLI_FLAG:
        *LC_CLI_AT(cli, d, int) = 1;
        return 0;
    case LC_CLI_COUNT:
        (*LC_CLI_AT(cli, d, int))++;
        return 0;
    case LC_CLI_CUSTOM:
        return d->apply(cli, d, value, fresh, why, len);
    case LC_CLI_STRING:
        rc = lc_set_string(LC_CLI_AT(cli, d, char *), value);
        break;
    case LC_CLI_ROLE:
    case LC_CLI_ROLES:
        name = lc_cli_role(d, value, why, len);
        if (name == NULL)
            return -1;
        if (d->kind == LC_CLI_ROLE) {
            rc = lc_set_string(LC_CLI_AT(cli, d, char *), name);
        } else {
            if (fresh)
                lc_strv_clear(sv);
            rc = lc_strv_contains(sv, name) ? 0 : lc_strv_push(sv, name);
        }
        if (d->given_off != 0)
            *(enum lc_source *)(void *)((char *)cli + d->given_off) = LC_SRC_GIVEN;
        free(name);
        break;
    case LC_CLI_GLOBS:
        if (fresh)
            lc_strv_clear(sv);
        rc = lc_strv_push(sv, value);
        break;
    default:
        if (lc_cli_convert(cli, d, value, wants, sizeof(wants)) < 0) {
            snprintf(why, len, "--%s wants %s, not '%s'", d->name, wants, value);
            return -1;
        }
        return 0;
    }
    if (rc < 0)
        snprintf(why, len, "out of memory");
    return rc;
}

struct lc_site_parse {
    struct lc_cli *cli;
    unsigned char seen[512]; /* single-valued keys already given, by option id */
    char err[512];
};

/* Keeps the first error (msg.h); 0 stops inih. */
#define lc_site_fail(st, ...) lc_msgf_first((st)->err, sizeof((st)->err), __VA_ARGS__)

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
    cli->format = lc_reporters[0];
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
