// Command worker is coopwatch: it pulls cooperative data from district spreadsheets,
// normalizes it into Postgres, recomputes plan attainment and reports it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// version is stamped by `make build` through -ldflags.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// errUsage marks a mistake in the command line: exit code 2.
var errUsage = errors.New("usage")

type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what every command gets: where to write, and the config path.
type env struct {
	stdout, stderr io.Writer
	configPath     string
}

// commands is filled in init: the commands' flag help reads it, which a package-level
// initializer could not allow.
var commands map[string]command

func init() {
	commands = map[string]command{
		"version":    {"print the version", cmdVersion},
		"run":        {"run as a daemon: scheduled imports and digests, /healthz, /readyz, /metrics", cmdRun},
		"migrate":    {"create the database if missing and apply schema migrations", cmdMigrate},
		"check":      {"validate config, plan, gazetteer and database; list every problem", cmdCheck},
		"once":       {"run one job now: all, import, recompute, alerts, digest or send", cmdOnce},
		"import":     {"import one source now, optionally from given files", cmdImport},
		"attainment": {"show attainment of the plan's targets", cmdAttainment},
		"backfill":   {"recompute weekly snapshots over a range of dates", cmdBackfill},
		"digest":     {"render the weekly digest without sending it", cmdDigest},
		"rejects":    {"list rejected rows with file, sheet, row, column and reason", cmdRejects},
		"silence":    {"add, list or expire alert silences", cmdSilence},
		"status":     {"sources' last runs, firing alerts, the outbox and dead messages", cmdStatus},
		"sources":    {"each source's last run: outcome, rows accepted and rejected, cursor, error", cmdSources},
	}
}

// run executes one command line and returns the process exit code: 0 ok, 1 failure,
// 2 usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr, configPath: defaultConfigPath()}
	if len(args) > 0 && (args[0] == "--config" || args[0] == "-config") && len(args) > 1 {
		e.configPath, args = args[1], args[2:]
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "worker: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "worker %s: %v\n", args[0], err)
		return 2
	default:
		fmt.Fprintf(stderr, "worker %s: %v\n", args[0], err)
		return 1
	}
}

func defaultConfigPath() string {
	if p := os.Getenv("COOPWATCH_CONFIG"); p != "" {
		return p
	}
	return "/etc/coopwatch/coopwatch.yaml"
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "coopwatch worker %s\n\nUsage: worker [--config FILE] COMMAND [flags]\n\nCommands:\n", version)
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(w, "\nThe config file is --config, else $COOPWATCH_CONFIG, else /etc/coopwatch/coopwatch.yaml.\n"+
		"Run 'worker COMMAND --help' for a command's flags.\n")
}

// flags makes a command's flag set; every command also takes --config.
func (e *env) flags(name, args string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.StringVar(&e.configPath, "config", e.configPath, "config `file`")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: worker %s [flags] %s\n\n%s.\n\nFlags:\n", name, args, commands[name].summary)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning flag errors into usage errors.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	return nil
}

// oneOf checks a flag's value against its allowed values.
func oneOf(flagName, value string, allowed ...string) error {
	for _, a := range allowed {
		if value == a {
			return nil
		}
	}
	return fmt.Errorf("%w: --%s must be one of %s, not %q", errUsage, flagName, strings.Join(allowed, ", "), value)
}

func cmdVersion(_ context.Context, e *env, args []string) error {
	fs := e.flags("version", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "coopwatch worker %s\n", version)
	return nil
}
