/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* doctor: check every piece the lookup path depends on, explain what is
 * wrong and print the exact fix.  Exit 0 only when all is well. */
#include "cli/cli.h"
#include "cli/doctor.h"
#include "cli/json-writer.h"
#include "cli/nsswitch.h"
#include "cli/system.h"
#include "resolver/resolver.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef BUILD_HOST
#include "host/host.h"
#endif

struct finding {
	enum finding_status status;
	char check[24];
	char message[768];
	char fix[1024];
};

struct doctor {
	const struct cli_args *args;
	struct cli_paths p;
	struct lc_paths lp;
	struct finding *f;
	size_t n;
	bool oom;
};

static struct finding *add(struct doctor *d, enum finding_status st, const char *check,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct finding *add(struct doctor *d, enum finding_status st, const char *check,
			   const char *fmt, ...)
{
	static struct finding scratch;
	struct finding *f = realloc(d->f, (d->n + 1) * sizeof(*f));
	if (!f) {
		d->oom = true;
		return &scratch;
	}
	d->f = f;
	f = &d->f[d->n++];
	memset(f, 0, sizeof(*f));
	f->status = st;
	snprintf(f->check, sizeof(f->check), "%s", check);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return f;
}

static void fix(struct finding *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fix(struct finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->fix, sizeof(f->fix), fmt, ap);
	va_end(ap);
}

void doctor_add(struct doctor *d, enum finding_status st, const char *check, const char *msg,
		const char *fixtext)
{
	fix(add(d, st, check, "%s", msg), "%s", fixtext ? fixtext : "");
}

void doctor_oom(struct doctor *d)
{
	d->oom = true;
}

/* ---- nsswitch.conf ------------------------------------------------------ */

/* The hosts line that enable would write, for the fix text. */
static void fixed_line(const char *buf, size_t len, char *out, size_t size)
{
	char *neu = NULL;
	size_t nl = 0;
	struct nsswitch_hosts h;

	out[0] = '\0';
	if (nsswitch_enable(buf, len, &neu, &nl) != 1)
		return;
	if (nsswitch_hosts_parse(neu, nl, &h) == 0)
		snprintf(out, size, "%.*s", (int)(h.line_end - h.line_start), neu + h.line_start);
	free(neu);
}

static void check_nsswitch(struct doctor *d)
{
	const char *path = d->p.nsswitch;
	char *buf = NULL;
	size_t len = 0;
	struct nsswitch_check c;
	char line[512];
	struct finding *f;

	int r = sys_read_file(path, &buf, &len);
	if (r == -ENOENT) {
		buf = strdup("");
		len = 0;
		if (!buf) {
			d->oom = true;
			return;
		}
	} else if (r < 0) {
		f = add(d, FIND_PROBLEM, "nsswitch", "cannot read %s: %s", path, strerror(-r));
		fix(f, "chmod 644 %s", path);
		return;
	}
	r = nsswitch_check(buf, len, &c);
	if (r < 0) {
		f = add(d, FIND_PROBLEM, "nsswitch",
			"%s: the hosts line names more than %d services", path,
			NSSWITCH_MAX_SOURCES);
		fix(f, "shorten the hosts line in %s", path);
		free(buf);
		return;
	}
	fixed_line(buf, len, line, sizeof(line));
	switch (c.verdict) {
	case NSSWITCH_OK:
		add(d, FIND_OK, "nsswitch",
		    "%s line %u: glibc asks " NSSWITCH_MODULE " before any DNS source", path,
		    c.line);
		break;
	case NSSWITCH_NO_HOSTS_LINE:
		f = add(
		    d, FIND_PROBLEM, "nsswitch",
		    "%s has no hosts line, so glibc uses 'dns [!UNAVAIL=return] files' and never "
		    "asks " NSSWITCH_MODULE,
		    path);
		fix(f, "add the line\n  %s\nto %s, or run: libvirt-cluster enable", line, path);
		break;
	case NSSWITCH_MISSING:
		f = add(d, FIND_PROBLEM, "nsswitch",
			"%s line %u: the hosts line does not name " NSSWITCH_MODULE
			", so glibc never asks it",
			path, c.line);
		fix(f, "change line %u of %s to\n  %s\nor run: libvirt-cluster enable", c.line,
		    path, line);
		break;
	case NSSWITCH_BLOCKED:
		if (strcmp(c.culprit, "resolve") == 0)
			f = add(
			    d, FIND_PROBLEM, "nsswitch",
			    "%s line %u: " NSSWITCH_MODULE " comes after 'resolve %s'. While "
			    "systemd-resolved runs it answers every name, NOTFOUND for the ones it "
			    "does not know, and that action ends the lookup there: "
			    "every module after it is silently disabled",
			    path, c.line, c.culprit_action);
		else
			f = add(d, FIND_PROBLEM, "nsswitch",
				"%s line %u: " NSSWITCH_MODULE
				" comes after '%s %s', which ends the "
				"lookup when %s does not know the name, so " NSSWITCH_MODULE
				" is never asked",
				path, c.line, c.culprit, c.culprit_action, c.culprit);
		fix(f, "change line %u of %s to\n  %s\nor run: libvirt-cluster enable", c.line,
		    path, line);
		break;
	case NSSWITCH_AFTER_DNS:
	case NSSWITCH_AFTER_RESOLVE:
		f = add(d, FIND_PROBLEM, "nsswitch",
			"%s line %u: " NSSWITCH_MODULE
			" comes after '%s': every guest lookup goes to "
			"the DNS servers first (slow when they are unreachable), and a DNS answer "
			"for the same name wins over the guest's",
			path, c.line, c.culprit);
		fix(f, "change line %u of %s to\n  %s\nor run: libvirt-cluster enable", c.line,
		    path, line);
		break;
	}
	free(buf);
}

static void check_module(struct doctor *d)
{
	const char *so = "libnss_" NSSWITCH_MODULE ".so.2";

	if (d->args->root) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s%s/%s", d->args->root, LIBDIR, so);
		if (access(path, R_OK) == 0) {
			add(d, FIND_OK, "module", "%s is installed", path);
		} else {
			struct finding *f = add(d, FIND_PROBLEM, "module", "%s is missing", path);
			fix(f, "install libvirt-cluster (make install) so that %s/%s exists",
			    LIBDIR, so);
		}
		return;
	}
	/* Ask the dynamic loader, as glibc will (LD_LIBRARY_PATH included). */
	void *h = dlopen(so, RTLD_LAZY | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		struct finding *f = add(d, FIND_PROBLEM, "module", "glibc cannot load %s: %s", so,
					e ? e : "not found");
		fix(f,
		    "install libvirt-cluster (make install) so that %s/%s exists, then run "
		    "ldconfig",
		    LIBDIR, so);
		return;
	}
	bool ok = dlsym(h, "_nss_" NSSWITCH_MODULE "_gethostbyname4_r") != NULL;
	dlclose(h);
	if (ok) {
		add(d, FIND_OK, "module", "%s loads and has its entry points", so);
	} else {
		struct finding *f = add(d, FIND_PROBLEM, "module",
					"%s loads but lacks _nss_" NSSWITCH_MODULE
					"_gethostbyname4_r: a different or broken build",
					so);
		fix(f, "reinstall libvirt-cluster");
	}
}

/* ---- hooks --------------------------------------------------------------- */

/* Newest record in the runstate dir: proof that a hook ran after then. */
static bool records_newer_than(const char *dir, const struct timespec *t)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	bool found = false;

	if (!dp)
		return false;
	while (!found && (de = readdir(dp))) {
		enum lc_record_kind kind;
		const char *name;
		size_t len;
		if (!lc_record_file_name(de->d_name, &kind, &name, &len))
			continue;
		struct stat st;
		if (fstatat(dirfd(dp), de->d_name, &st, 0) < 0)
			continue;
		if (st.st_mtim.tv_sec > t->tv_sec ||
		    (st.st_mtim.tv_sec == t->tv_sec && st.st_mtim.tv_nsec >= t->tv_nsec))
			found = true;
	}
	closedir(dp);
	return found;
}

static bool daemon_runs(const struct sys_daemon *dm, const char *kind)
{
	if (strcmp(dm->name, "libvirtd") == 0)
		return true;
	return (strcmp(kind, "qemu") == 0 && strcmp(dm->name, "virtqemud") == 0) ||
	       (strcmp(kind, "lxc") == 0 && strcmp(dm->name, "virtlxcd") == 0) ||
	       (strcmp(kind, "network") == 0 && strcmp(dm->name, "virtnetworkd") == 0);
}

static void fmt_time(time_t t, char *buf, size_t size)
{
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}

static void check_hooks(struct doctor *d)
{
	struct sys_daemon dm[4];
	size_t ndm = sys_daemons(d->p.run_dir, dm, 4);
	char hook_on_disk[PATH_MAX];
	struct finding *f;

	snprintf(hook_on_disk, sizeof(hook_on_disk), "%s%s", d->args->root ? d->args->root : "",
		 d->p.hook);
	if (access(hook_on_disk, X_OK) < 0) {
		f = add(d, FIND_PROBLEM, "hooks", "the hook binary %s is not installed (%s)",
			hook_on_disk, strerror(errno));
		fix(f, "install libvirt-cluster (make install), or point --hook / "
		       "LIBVIRT_CLUSTER_HOOK at it");
	}

	for (size_t i = 0; sys_hook_kinds[i]; i++) {
		const char *kind = sys_hook_kinds[i];
		char link[PATH_MAX], target[PATH_MAX], resolved[PATH_MAX];
		struct stat st;

		snprintf(link, sizeof(link), "%s/%s.d/" SYS_HOOK_LINK, d->p.hooks_dir, kind);
		if (lstat(link, &st) < 0) {
			f = add(d, FIND_PROBLEM, "hooks",
				"%s is missing: libvirt will not tell us when %s start and stop",
				link,
				strcmp(kind, "network") == 0 ? "networks"
				: strcmp(kind, "lxc") == 0   ? "lxc guests"
							     : "qemu guests");
			fix(f,
			    "libvirt-cluster enable\n(or by hand: mkdir -p %s/%s.d && ln -s %s %s)",
			    d->p.hooks_dir, kind, d->p.hook, link);
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			target[n > 0 ? n : 0] = '\0';
		} else {
			snprintf(target, sizeof(target), "%s", link);
		}
		/* libvirt runs only executables; a dangling link is skipped. */
		if (access(link, X_OK) < 0) {
			f = add(d, FIND_PROBLEM, "hooks", "%s -> %s: not executable (%s)", link,
				target, strerror(errno));
			fix(f, "ln -sfn %s %s   (or: libvirt-cluster enable)", d->p.hook, link);
			continue;
		}
		if (S_ISLNK(st.st_mode) && strcmp(target, d->p.hook) != 0 &&
		    !(realpath(link, resolved) && strcmp(resolved, hook_on_disk) == 0)) {
			f = add(d, FIND_PROBLEM, "hooks", "%s -> %s, not to %s", link, target,
				d->p.hook);
			fix(f, "ln -sfn %s %s   (or: libvirt-cluster enable)", d->p.hook, link);
			continue;
		}
		add(d, FIND_OK, "hooks", "%s -> %s", link, target);

		struct timespec mt;
		if (sys_lmtime(link, &mt) < 0)
			continue;
		for (size_t k = 0; k < ndm; k++) {
			if (!daemon_runs(&dm[k], kind) || mt.tv_sec < dm[k].started)
				continue;
			/* Installed after the daemon started.  libvirt reads its
			 * hook directories at start and on SIGHUP; a record
			 * written since shows that it did. */
			if (records_newer_than(d->lp.runstate_dir, &mt))
				continue;
			char t1[32], t2[32];
			fmt_time(mt.tv_sec, t1, sizeof(t1));
			fmt_time(dm[k].started, t2, sizeof(t2));
			f = add(
			    d, FIND_PROBLEM, "daemon",
			    "%s was installed at %s, after %s (pid %d) started at %s, and no hook "
			    "has run since: the daemon does not know the hook yet",
			    link, t1, dm[k].name, (int)dm[k].pid, t2);
			fix(f,
			    "kill -HUP %d   (or: systemctl reload %s); this check clears once the "
			    "hook has recorded a network or guest",
			    (int)dm[k].pid, dm[k].name);
		}
	}
	if (ndm == 0)
		add(d, FIND_SKIPPED, "daemon",
		    "no libvirt daemon running (no live pid file in %s): it will read the hooks "
		    "when it starts",
		    d->p.run_dir);
}

/* ---- leases, config, records --------------------------------------------- */

static void check_leases(struct doctor *d)
{
	const char *dir = d->lp.lease_dir;
	struct finding *f;

	DIR *dp = opendir(dir);
	if (!dp) {
		int e = errno;
		if (e == ENOENT) {
			f = add(
			    d, FIND_PROBLEM, "leases",
			    "lease directory %s does not exist: no libvirt network has run DHCP "
			    "here, so no guest resolves",
			    dir);
			fix(f, "start a libvirt network with DHCP (virsh net-start default); if "
			       "libvirt keeps leases elsewhere, rebuild with --with-lease-dir=DIR");
		} else {
			f = add(
			    d, FIND_PROBLEM, "leases",
			    "lease directory %s is unreadable (%s): every lookup returns UNAVAIL",
			    dir, strerror(e));
			fix(f, "chmod 755 %s", dir);
		}
		return;
	}
	size_t n_status = 0, bad = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		if (l < 8 || strcmp(de->d_name + l - 7, ".status") != 0)
			continue;
		n_status++;
		int fd = openat(dirfd(dp), de->d_name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0) {
			bad++;
			f = add(d, FIND_PROBLEM, "leases", "%s/%s is unreadable (%s)", dir,
				de->d_name, strerror(errno));
			fix(f, "chmod 644 %s/%s", dir, de->d_name);
			continue;
		}
		close(fd);
	}
	closedir(dp);
	if (bad == 0)
		add(d, FIND_OK, "leases", "lease directory %s is readable (%zu lease file%s)", dir,
		    n_status, n_status == 1 ? "" : "s");
}

struct config_ctx {
	struct doctor *d;
	size_t n;
};

static void on_config_issue(const struct lc_config_issue *issue, void *userdata)
{
	struct config_ctx *c = userdata;
	struct finding *f;

	c->n++;
	f = add(c->d, FIND_PROBLEM, "config", "%s line %u: %s", c->d->lp.config, issue->line,
		issue->message);
	fix(f, "edit line %u of %s (see libvirt-cluster.conf(5)); the module ignores that line",
	    issue->line, c->d->lp.config);
}

static void check_config(struct doctor *d, struct lc_config *cfg)
{
	struct config_ctx c = {.d = d};

	int r = lc_config_load(d->lp.config, cfg, on_config_issue, &c);
	if (r < 0) {
		struct finding *f = add(d, FIND_PROBLEM, "config", "cannot read %s: %s",
					d->lp.config, strerror(-r));
		fix(f, "chmod 644 %s", d->lp.config);
		lc_config_defaults(cfg);
		return;
	}
	if (c.n == 0) {
		if (access(d->lp.config, F_OK) < 0)
			add(d, FIND_OK, "config", "%s does not exist: defaults apply",
			    d->lp.config);
		else
			add(d, FIND_OK, "config", "%s parses cleanly", d->lp.config);
	}
}

static void check_guests(struct doctor *d)
{
	struct lc_db *db = NULL;
	char g[64];
	size_t bad = 0;

	int r = lc_db_load(&d->lp, (int64_t)time(NULL), &db);
	if (r < 0) {
		add(d, FIND_SKIPPED, "guests", "cannot load the guest sources: %s", strerror(-r));
		return;
	}
	for (size_t i = 0; i < lc_db_n_hosts(db); i++) {
		const struct lc_host *h = lc_db_host(db, i);
		struct finding *f;
		char cl[256], gr[256], fixbuf[512];
		/* The hook leaves an invalid group out of the record; the
		 * record or the domain's metadata still has it. */
		cli_guest_labels(h, d->lp.runstate_dir, cl, sizeof(cl), gr, sizeof(gr));
		if (gr[0] && !lc_group_valid(gr)) {
			bad++;
			f = add(
			    d, FIND_PROBLEM, "guests",
			    "guest %s: group '%s' is not a valid group name (upper-case letters, "
			    "digits and '_', first a letter): the Ansible inventory refuses it",
			    h->name, gr);
			fix(f, "%s", cli_metadata_fix(h->name, cl, gr, fixbuf, sizeof(fixbuf)));
		}
		if (h->cluster && !cli_cluster_group(h->cluster, g, sizeof(g))) {
			bad++;
			f = add(d, FIND_PROBLEM, "guests",
				"guest %s: cluster '%s' gives no valid Ansible group name", h->name,
				h->cluster);
			fix(f,
			    "virsh edit %s: use letters, digits, '-', '.' and '_' (first a letter) "
			    "for the cluster in its libvirt-cluster metadata",
			    h->name);
		}
	}
	if (bad == 0)
		add(d, FIND_OK, "guests", "%zu known host%s, every cluster and group valid",
		    lc_db_n_hosts(db), lc_db_n_hosts(db) == 1 ? "" : "s");
	lc_db_free(db);
}

static void on_discovery(void *ud, bool problem, const char *msg, const char *fx)
{
	fix(add(ud, problem ? FIND_PROBLEM : FIND_OK, "discovery", "%s", msg), "%s", fx ? fx : "");
}

/* ---- systemd-resolved ------------------------------------------------------ */

/* ---- cluster DNS (cli/cmd-dns.c) ------------------------------------------ */

static void on_dns_finding(int problem, const char *message, const char *fixtext, void *ud)
{
	struct finding *f = add(ud, problem ? FIND_PROBLEM : FIND_OK, "dns", "%s", message);
	if (fixtext[0])
		fix(f, "%s", fixtext);
}

/* ---- output -------------------------------------------------------------- */

static const char *status_word(enum finding_status s)
{
	return s == FIND_OK ? "ok" : s == FIND_SKIPPED ? "skipped" : "problem";
}

static int cmd_doctor(const struct cli_args *args)
{
	struct doctor d = {.args = args};
	struct lc_config cfg;
	size_t problems = 0;

	cli_paths_get(args, &d.p);
	cli_lc_paths(args, &d.lp);

	check_nsswitch(&d);
	check_module(&d);
	check_hooks(&d);
	check_leases(&d);
	check_config(&d, &cfg);
	check_guests(&d);
	cli_doctor_discovery(d.lp.runstate_dir, d.lp.config, on_discovery, &d);
	doctor_check_resolved(&d, &d.lp, &cfg);
	cli_dns_doctor(&d.lp, on_dns_finding, &d);
	doctor_check_neighbours(&d, args, &d.lp);
	lc_config_free(&cfg);

	for (size_t i = 0; i < d.n; i++)
		if (d.f[i].status == FIND_PROBLEM)
			problems++;
	if (args->json) {
		struct cli_json j;
		cli_json_init(&j, stdout, true);
		cli_json_begin_object(&j);
		cli_json_kv_bool(&j, "ok", problems == 0 && !d.oom);
		cli_json_kv_int(&j, "problems", (int64_t)problems);
		cli_json_key(&j, "checks");
		cli_json_begin_array(&j);
		for (size_t i = 0; i < d.n; i++) {
			cli_json_begin_object(&j);
			cli_json_kv_string(&j, "check", d.f[i].check);
			cli_json_kv_string(&j, "status", status_word(d.f[i].status));
			cli_json_kv_string(&j, "message", d.f[i].message);
			cli_json_kv_string(&j, "fix", d.f[i].fix[0] ? d.f[i].fix : NULL);
			cli_json_end_object(&j);
		}
		cli_json_end_array(&j);
		cli_json_end_object(&j);
		cli_json_finish(&j);
	} else {
		for (size_t i = 0; i < d.n; i++) {
			const struct finding *f = &d.f[i];
			printf("%-8s %-9s %s\n",
			       f->status == FIND_PROBLEM ? "PROBLEM" : status_word(f->status),
			       f->check, f->message);
			if (!f->fix[0])
				continue;
			/* Indent every line of the fix under the message. */
			const char *s = f->fix;
			bool first = true;
			while (*s) {
				size_t l = strcspn(s, "\n");
				printf("%18s %s%.*s\n", "", first ? "fix: " : "     ", (int)l, s);
				first = false;
				s += l;
				if (*s == '\n')
					s++;
			}
		}
		if (problems == 0)
			printf("\nall is well\n");
		else
			printf("\n%zu problem%s\n", problems, problems == 1 ? "" : "s");
	}
	free(d.f);
	if (d.oom) {
		cli_error("out of memory");
		return CLI_EXIT_FAILURE;
	}
	return problems == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

CLI_COMMAND(doctor) = {
    .name = "doctor",
    .min_args = 0,
    .max_args = 0,
    .fn = cmd_doctor,
    .options = CLI_OPT_JSON | CLI_OPT_ROOT | CLI_OPT_HOOK,
    .usage = "",
    .help = "Check the setup and print the exact fix for each problem.\n"
	    "nsswitch.conf hosts line, hook links and daemon reload, lease directory,\n"
	    "config file, guest groups, systemd-resolved links.  Exit 0 only when all\n"
	    "is well.",
};
