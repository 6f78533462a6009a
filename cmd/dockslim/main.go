// Command dockslim rewrites Dockerfiles so their images are smaller and
// their builds cache better.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/buildversion"
	"github.com/dockslim/dockslim/internal/registry/client"
	"github.com/dockslim/dockslim/rewrite"
	"github.com/dockslim/dockslim/rewrite/all"
)

// version is set with -ldflags "-X main.version=..."; else the module's.
var version = ""

// Exit codes.
const (
	exitOK      = 0 // nothing to change, or changes written
	exitChanges = 1 // changes pending (--diff, --check) or findings (check)
	exitError   = 2 // usage error, unreadable or unparsable file, internal error of a pass
)

// exitCode carries an exit code through urfave/cli.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit %d", int(e)) }

func main() {
	collectByBudget()
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without os.Exit, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "dockslim: internal error: %v\nPlease report it with the Dockerfile that caused it.\n", r)
			code = exitError
		}
	}()
	app := newApp(stdin, stdout, stderr)
	err := app.Run(interspersed(app, args))
	var ec exitCode
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ec):
		return int(ec)
	default:
		fmt.Fprintf(stderr, "dockslim: %v\n", err)
		return exitError
	}
}

func usageError(c *cli.Context, err error, _ bool) error {
	help := "dockslim --help"
	if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
		help = "dockslim " + c.Command.Name + " --help"
	}
	fmt.Fprintf(c.App.ErrWriter, "dockslim: %v\nRun '%s' for usage.\n", err, help)
	return exitCode(exitError)
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	app := &cli.App{
		Name:      "dockslim",
		Usage:     "rewrite Dockerfiles so images are smaller and builds cache better",
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed by run; never let urfave/cli call os.Exit.
		ExitErrHandler:  func(*cli.Context, error) {},
		OnUsageError:    usageError,
		HideHelpCommand: true,
		// --version is dockslim's own flag: urfave/cli's would print
		// "dockslim version dockslim devel".
		HideVersion: true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "version", Aliases: []string{"v"}, Usage: "print dockslim's version"},
		},
		Action:   rootAction,
		Metadata: map[string]any{passesKey: all.Passes()},
		Commands: []*cli.Command{
			fixCommand(),
			checkCommand(),
			rulesCommand(),
			measureCommand(),
			configCommand(),
			completionCommand(),
			{
				Name:  "version",
				Usage: "print dockslim's version",
				Action: func(c *cli.Context) error {
					fmt.Fprintf(c.App.Writer, "dockslim %s\n", Version())
					return nil
				},
			},
		},
	}
	for _, cmd := range app.Commands {
		cmd.OnUsageError = usageError
	}
	return app
}

// rootAction runs when no command is named: --version, the help, or an
// unknown command with the names close to it.
func rootAction(c *cli.Context) error {
	switch {
	case c.Bool("version"):
		fmt.Fprintf(c.App.Writer, "dockslim %s\n", Version())
		return nil
	case c.NArg() == 0:
		return cli.ShowAppHelp(c)
	}
	name := c.Args().First()
	if name == "help" { // dockslim help [COMMAND]
		if topic := c.Args().Get(1); topic != "" && c.App.Command(topic) != nil {
			return cli.ShowCommandHelp(c, topic)
		}
		return cli.ShowAppHelp(c)
	}
	fmt.Fprintf(c.App.ErrWriter, "dockslim: unknown command %s%s\nRun 'dockslim --help' for the commands.\n", quote(name), suggest(c.App, name))
	return exitCode(exitError)
}

// Version is the version string of this build.
func Version() string { return buildversion.String(version) }

// commonFlags are shared by fix and check.
func commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "select", Usage: "only these rules: ids, names, id prefixes or ALL, comma separated"},
		&cli.StringFlag{Name: "ignore", Usage: "skip these rules: ids, names, id prefixes or ALL, comma separated"},
		&cli.StringFlag{Name: "stdin-filename", Usage: "the name of the Dockerfile read from standard input (-)"},
		&cli.StringFlag{Name: "context", Usage: "build context `DIR` (default: the Dockerfile's folder)"},
		&cli.BoolFlag{Name: "online", Usage: "ask the image registry (tags, digests, sizes) through the dockslim-registry helper; without it dockslim makes no network access"},
		&cli.BoolFlag{Name: "cache-mounts", Usage: "turn package caches into BuildKit cache mounts instead of disabling them"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print findings, diffs and errors only: no summary, no notes"},
		&cli.StringFlag{Name: "config", Usage: "the configuration `FILE` of every Dockerfile (default: the nearest .dockslim.toml in its folder or above)"},
	}
}

// passesKey names, in the app's Metadata, the passes its engine runs:
// rewrite/all's list, which tests may extend.
const passesKey = "passes"

// newEngine is the engine of the app's passes (rewrite/all's); an error (a
// rule id used twice) is reported and ends the command with exit 2.
func newEngine(c *cli.Context) (*rewrite.Engine, bool) {
	passes, _ := c.App.Metadata[passesKey].([]*rewrite.Pass)
	e, err := rewrite.NewEngine(passes...)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim: internal error: %v\nPlease report it.\n", err)
		return nil, false
	}
	return e, true
}

// setup is what check, fix and fix --verify start with: the engine and the
// run's options; a failure is reported (naming cmd) and ok is false. The
// caller closes the options' Env (closeEnv).
func setup(c *cli.Context, cmd string) (e *rewrite.Engine, opts rewrite.Options, ok bool) {
	e, ok = newEngine(c)
	if !ok {
		return nil, opts, false
	}
	opts, err := optionsFrom(c, e)
	if err != nil {
		fmt.Fprintf(c.App.ErrWriter, "dockslim %s: %v\n", cmd, err)
		return nil, opts, false
	}
	return e, opts, true
}

func optionsFrom(c *cli.Context, e *rewrite.Engine) (rewrite.Options, error) {
	opts := rewrite.Options{
		UnsafeFixes: c.Bool("unsafe-fixes"),
		Online:      c.Bool("online"),
		CacheMounts: c.Bool("cache-mounts"),
		Selector: rewrite.Selector{
			Select: splitComma(c.String("select")),
			Ignore: splitComma(c.String("ignore")),
		},
	}
	// One Env for the run: the passes' caches, and with --online the
	// registry client, shared by every file (closeEnv stops its helper).
	opts.Env = &rewrite.Env{}
	if opts.Online {
		// The registry is asked through a helper process (registry/client):
		// say now, before any file, when it cannot be found.
		if _, err := client.FindHelper(); err != nil {
			return opts, err
		}
		opts.Env.Registry = &client.Client{}
	}
	for _, list := range [][]string{opts.Selector.Select, opts.Selector.Ignore} {
		if bad := e.UnknownSelectors(list); len(bad) > 0 {
			return opts, fmt.Errorf("unknown rule %q (see 'dockslim rules')", strings.Join(bad, ","))
		}
	}
	return opts, nil
}

// closeEnv stops the registry helper of the run, if it was started.
func closeEnv(opts rewrite.Options) {
	if c, ok := opts.Env.Registry.(*client.Client); ok {
		c.Close()
	}
}

func splitComma(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// inputs resolves the PATH arguments; it reports problems on stderr and
// returns false when there is nothing to do.
func inputs(c *cli.Context) ([]string, bool) {
	args := c.Args().Slice()
	if len(args) == 0 {
		fmt.Fprintf(c.App.ErrWriter, "dockslim %s: no PATH given (a Dockerfile, a folder, or - for standard input)\n", c.Command.Name)
		return nil, false
	}
	paths, errs := discover(args)
	for _, err := range errs {
		fmt.Fprintf(c.App.ErrWriter, "dockslim: %v\n", err)
	}
	return paths, len(errs) == 0
}
