/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Command line parsing and help, both driven by the command table (in
 * main.c) and the option table below: adding a command or an option is
 * one table row, and the help and the errors follow.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

enum {
	OPT_ROOT = 0x100,
	OPT_CONNECT,
	OPT_NO_RELOAD,
	OPT_HOOK,
	OPT_LIST,
	OPT_HOST,
	OPT_SSH,
	OPT_READY,
};

struct cli_option {
	const char *name;
	int val; /* short option letter or OPT_* */
	int has_arg;
	unsigned bit; /* enum cli_opt; 0 = global (help, version) */
	const char *arg;
	const char *help;
};

static const struct cli_option options[] = {
    {"help", 'h', no_argument, 0, NULL, "show help (for a command: libvirt-cluster CMD --help)"},
    {"version", 'V', no_argument, 0, NULL, "show the version"},
    {"json", 'j', no_argument, CLI_OPT_JSON, NULL, "print JSON for programs"},
    {"all", 'a', no_argument, CLI_OPT_ALL, NULL, "include stopped guests"},
    {"list", OPT_LIST, no_argument, CLI_OPT_LIST, NULL, "print the whole inventory"},
    {"host", OPT_HOST, required_argument, CLI_OPT_HOST, "NAME", "print one host's variables"},
    {"port", 'p', required_argument, CLI_OPT_PORT, "PORT",
     "also wait until PORT accepts TCP connections"},
    {"ready", OPT_READY, required_argument, CLI_OPT_READY, "KIND",
     "wait until ready: tcp:PORT, ssh, agent, boot, cloud-init"},
    {"timeout", 't', required_argument, CLI_OPT_TIMEOUT, "SECONDS",
     "give up after SECONDS (default 120)"},
    {"quiet", 'q', no_argument, CLI_OPT_QUIET, NULL, "no progress on stderr"},
    {"ipv4", '4', no_argument, CLI_OPT_FAMILY4, NULL, "IPv4 addresses only"},
    {"ipv6", '6', no_argument, CLI_OPT_FAMILY6, NULL, "IPv6 addresses only"},
    {"dry-run", 'n', no_argument, CLI_OPT_DRY_RUN, NULL, "show the changes, make none"},
    {"no-reload", OPT_NO_RELOAD, no_argument, CLI_OPT_NO_RELOAD, NULL,
     "do not send SIGHUP to the libvirt daemon"},
    {"root", OPT_ROOT, required_argument, CLI_OPT_ROOT, "DIR",
     "act on the system below DIR instead of /"},
    {"hook", OPT_HOOK, required_argument, CLI_OPT_HOOK, "PATH", "the hook binary to link"},
    {"ssh", OPT_SSH, no_argument, CLI_OPT_SSH, NULL,
     "only the ssh drop-in (KnownHostsCommand), not the hosts line or hooks"},
    {"connect", 'c', required_argument, CLI_OPT_CONNECT, "URI", "libvirt connection URI"},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

static const struct cli_option *option_by_val(int val)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].val == val)
			return &options[i];
	return NULL;
}

const struct cli_command *cli_command_find(const char *name)
{
	for (size_t i = 0; i < cli_n_commands; i++)
		if (strcmp(cli_commands[i]->name, name) == 0)
			return cli_commands[i];
	return NULL;
}

/* "resolve, list, ...": every command of the table, for the message about
 * one that is not. */
static const char *command_names(char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cli_n_commands && at < size; i++) {
		int n = snprintf(buf + at, size - at, "%s%s", i ? ", " : "", cli_commands[i]->name);
		if (n < 0)
			break;
		at += (size_t)n;
	}
	return buf;
}

static void option_spelling(const struct cli_option *o, char *buf, size_t size)
{
	if (o->val < 0x100)
		snprintf(buf, size, "-%c, --%s", o->val, o->name);
	else
		snprintf(buf, size, "    --%s", o->name);
}

void cli_help(FILE *f, const struct cli_command *cmd)
{
	char sp[64], left[96];

	if (cmd) {
		fprintf(f, "Usage: libvirt-cluster %s%s%s%s\n\n%s\n", cmd->name,
			cmd->options ? " [OPTIONS]" : "", cmd->usage[0] ? " " : "", cmd->usage,
			cmd->help);
		if (cmd->options) {
			fputs("\nOptions:\n", f);
			for (size_t i = 0; i < N_OPTIONS; i++) {
				const struct cli_option *o = &options[i];
				if (!(o->bit & cmd->options))
					continue;
				option_spelling(o, sp, sizeof(sp));
				snprintf(left, sizeof(left), "%s%s%s", sp, o->arg ? " " : "",
					 o->arg ? o->arg : "");
				fprintf(f, "  %-26s %s\n", left, o->help);
			}
		}
		fputs("\nSee libvirt-cluster(1) for exit codes and examples.\n", f);
		return;
	}
	fputs("Usage: libvirt-cluster [OPTIONS] COMMAND [ARGS...]\n\n"
	      "Resolve, list, wait for and inventory libvirt guests by name, with the\n"
	      "same resolver as the libvirt_cluster NSS module.\n\nCommands:\n",
	      f);
	for (size_t i = 0; i < cli_n_commands; i++) {
		const struct cli_command *c = cli_commands[i];
		snprintf(left, sizeof(left), "%s%s%s", c->name, c->usage[0] ? " " : "", c->usage);
		/* The first line of the help is the summary. */
		const char *nl = strchr(c->help, '\n');
		int n = nl ? (int)(nl - c->help) : (int)strlen(c->help);
		fprintf(f, "  %-28s %.*s\n", left, n, c->help);
	}
	fputs("\nOptions:\n", f);
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct cli_option *o = &options[i];
		option_spelling(o, sp, sizeof(sp));
		snprintf(left, sizeof(left), "%s%s%s", sp, o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-28s %s\n", left, o->help);
	}
	fputs("\nExit status: 0 ok; 1 failure (doctor: a problem found); 2 NAME not found;\n"
	      "3 lease directory unreadable; 4 invalid group name; 64 usage;\n"
	      "100+N wait: the N-th NAME was not ready.\n"
	      "\nRun 'libvirt-cluster COMMAND --help' for a command's options;\n"
	      "see libvirt-cluster(1) for details and examples.\n",
	      f);
}

static int parse_int(const char *s, long min, long max, int *ret)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* Called as the Ansible inventory script (a link or wrapper whose name
 * ends in "inventory"), the command is implied. */
static bool called_as_inventory(const char *argv0)
{
	const char *base = strrchr(argv0, '/');
	base = base ? base + 1 : argv0;
	size_t n = strlen(base);
	return n >= 9 && strcmp(base + n - 9, "inventory") == 0;
}

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		snprintf(err, errlen, __VA_ARGS__);                                                \
		return CLI_EXIT_USAGE;                                                             \
	} while (0)

/* getopt_long's tables from ours.  ':' first: missing arguments are ours
 * to report; GNU order, options anywhere. */
static void build_getopt(struct option *longopts, char *shortopts)
{
	size_t ns = 0;

	shortopts[ns++] = ':';
	for (size_t i = 0; i < N_OPTIONS; i++) {
		longopts[i] =
		    (struct option){options[i].name, options[i].has_arg, NULL, options[i].val};
		if (options[i].val < 0x100) {
			shortopts[ns++] = (char)options[i].val;
			if (options[i].has_arg == required_argument)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[N_OPTIONS], 0, sizeof(longopts[0]));
	shortopts[ns] = '\0';
}

/* One option, given as getopt_long returned it, into a. */
static int apply_option(int c, struct cli_args *a, char *err, size_t errlen)
{
	switch (c) {
	case 'h':
		a->help = true;
		break;
	case 'V':
		a->version = true;
		break;
	case 'j':
		a->json = true;
		break;
	case 'a':
		a->all = true;
		break;
	case OPT_LIST:
		a->list = true;
		break;
	case OPT_HOST:
		a->host = optarg;
		break;
	case 'p':
		if (parse_int(optarg, 1, 65535, &a->port) < 0)
			FAIL("--port: '%s' is not a TCP port (1-65535)", optarg);
		break;
	case 't':
		if (parse_int(optarg, 0, 86400 * 7, &a->timeout) < 0)
			FAIL("--timeout: '%s' is not a number of seconds (0-604800)", optarg);
		break;
	case 'q':
		a->quiet = true;
		break;
	case '4':
		a->family = AF_INET;
		break;
	case '6':
		a->family = AF_INET6;
		break;
	case 'n':
		a->dry_run = true;
		break;
	case OPT_NO_RELOAD:
		a->no_reload = true;
		break;
	case OPT_ROOT:
		if (optarg[0] != '/')
			FAIL("--root: '%s' must be an absolute path", optarg);
		a->root = optarg;
		break;
	case OPT_HOOK:
		if (optarg[0] != '/')
			FAIL("--hook: '%s' must be an absolute path", optarg);
		a->hook = optarg;
		break;
	case 'c':
		a->connect = optarg;
		break;
	case OPT_SSH:
		a->ssh = true;
		break;
	case OPT_READY: {
		struct cli_ready k;
		if (cli_ready_parse(optarg, &k) < 0)
			FAIL("--ready: '%s' is no kind (tcp:PORT, ssh, agent, boot, cloud-init)",
			     optarg);
		a->ready = optarg;
		break;
	}
	}
	return CLI_EXIT_OK;
}

/* Every option of argv into a; optind is left at the first operand. */
static int parse_options(int argc, char **argv, struct cli_args *a, char *err, size_t errlen)
{
	struct option longopts[N_OPTIONS + 1];
	char shortopts[3 * N_OPTIONS + 2];

	build_getopt(longopts, shortopts);
	optind = 0; /* full re-initialisation: parse may run more than once */
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, shortopts, longopts, NULL);
		if (c == -1)
			break;
		if (c == '?') {
			if (optopt && optopt < 0x100 && optopt != '?')
				FAIL("unknown option '-%c'", optopt);
			FAIL("unknown option '%s'", argv[optind - 1]);
		}
		if (c == ':') {
			const struct cli_option *o = option_by_val(optopt);
			FAIL("option '--%s' needs an argument (%s)", o ? o->name : "?",
			     o && o->arg ? o->arg : "?");
		}
		const struct cli_option *o = option_by_val(c);
		if (!o)
			FAIL("internal error: option %d", c);
		a->seen |= o->bit;
		int r = apply_option(c, a, err, errlen);
		if (r != CLI_EXIT_OK)
			return r;
	}
	if ((a->seen & CLI_OPT_PORT) && (a->seen & CLI_OPT_READY))
		FAIL("--port and --ready exclude each other (--port N is --ready=tcp:N)");
	if ((a->seen & CLI_OPT_FAMILY4) && (a->seen & CLI_OPT_FAMILY6))
		FAIL("-4 and -6 exclude each other (give neither for both families)");
	return CLI_EXIT_OK;
}

/* The options and operands that the command a->command takes. */
static int check_command(const struct cli_args *a, char *err, size_t errlen)
{
	const struct cli_command *cmd = a->command;
	unsigned extra = a->seen & ~cmd->options;

	if (extra) {
		for (size_t i = 0; i < N_OPTIONS; i++)
			if (options[i].bit & extra)
				FAIL("option '--%s' does not apply to '%s'", options[i].name,
				     cmd->name);
	}
	if (a->argc < cmd->min_args)
		FAIL("'%s' needs %s%s", cmd->name,
		     cmd->min_args == 1 && cmd->max_args != 1 ? "at least one " : "", cmd->usage);
	if (cmd->max_args >= 0 && a->argc > cmd->max_args) {
		if (cmd->max_args == 0)
			FAIL("'%s' takes no arguments ('%s' is extra)", cmd->name, a->argv[0]);
		FAIL("'%s' takes at most %d argument%s ('%s' is extra)", cmd->name, cmd->max_args,
		     cmd->max_args == 1 ? "" : "s", a->argv[cmd->max_args]);
	}
	if (strcmp(cmd->name, "inventory") == 0 && a->list == !!a->host)
		FAIL("inventory needs exactly one of --list and --host NAME");
	return CLI_EXIT_OK;
}

int cli_parse(int argc, char **argv, struct cli_args *ret, char *err, size_t errlen)
{
	struct cli_args a;
	int r;

	memset(&a, 0, sizeof(a));
	a.family = AF_UNSPEC;
	a.timeout = 120;
	err[0] = '\0';

	r = parse_options(argc, argv, &a, err, errlen);
	if (r != CLI_EXIT_OK)
		return r;

	int first = optind;
	const char *name = NULL;
	if (argc > 0 && called_as_inventory(argv[0])) {
		name = "inventory";
	} else if (first < argc) {
		name = argv[first++];
	}
	if (!name) {
		if (a.help || a.version) {
			*ret = a;
			return CLI_EXIT_OK;
		}
		FAIL("no command given (try 'libvirt-cluster --help')");
	}
	if (strcmp(name, "help") == 0) {
		/* "help CMD" is "CMD --help". */
		a.help = true;
		if (first >= argc) {
			*ret = a;
			return CLI_EXIT_OK;
		}
		name = argv[first++];
	}
	a.command = cli_command_find(name);
	if (!a.command) {
		char names[512];
		FAIL("unknown command '%s' (commands: %s)", name,
		     command_names(names, sizeof(names)));
	}
	a.argc = argc - first;
	a.argv = argv + first;
	if (!a.help && !a.version) {
		r = check_command(&a, err, errlen);
		if (r != CLI_EXIT_OK)
			return r;
	}
	*ret = a;
	return CLI_EXIT_OK;
}
