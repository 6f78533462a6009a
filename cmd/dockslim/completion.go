package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/dockslim/dockslim/internal/report"
)

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script: bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `bash: source <(dockslim completion bash)   (or save it in /etc/bash_completion.d/dockslim)
   zsh:  dockslim completion zsh > "${fpath[1]}/_dockslim"
   fish: dockslim completion fish > ~/.config/fish/completions/dockslim.fish`,
		Action: func(c *cli.Context) error {
			shells := map[string]func(io.Writer, []*cli.Command){"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion}
			gen, ok := shells[c.Args().First()]
			if c.NArg() != 1 || !ok {
				fmt.Fprintln(c.App.ErrWriter, "dockslim completion: name one shell: bash, zsh or fish")
				return exitCode(exitError)
			}
			gen(c.App.Writer, c.App.Commands)
			return nil
		},
	}
}

// flagValues are the values a flag's completion offers.
func flagValues(name string) []string {
	switch name {
	case "format":
		return report.Formats
	case "color":
		return []string{"auto", "always", "never"}
	case "builder":
		return []string{"auto", "docker", "podman", "buildah"}
	}
	return nil
}

// longFlags lists a command's flags as --name (and -x for one-letter aliases).
func longFlags(cmd *cli.Command) []string {
	var out []string
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			out = append(out, dashes(n)+n)
		}
	}
	return out
}

func dashes(name string) string {
	if len(name) == 1 {
		return "-"
	}
	return "--"
}

func commandNames(cmds []*cli.Command) string {
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
	}
	return strings.Join(names, " ")
}

func bashCompletion(w io.Writer, cmds []*cli.Command) {
	fmt.Fprintf(w, `# bash completion for dockslim: source <(dockslim completion bash)
_dockslim() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac
  done
  case $prev in
    --format) COMPREPLY=($(compgen -W "%s markdown" -- "$cur")); return ;;
    --color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
    --builder) COMPREPLY=($(compgen -W "auto docker podman buildah" -- "$cur")); return ;;
    --context|--config) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac
  local flags=""
  case $cmd in
    "") COMPREPLY=($(compgen -W "%s --help --version" -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
`, strings.Join(report.Formats, " "), commandNames(cmds))
	for _, c := range cmds {
		if c.Name != "completion" {
			fmt.Fprintf(w, "    %s) flags=%q ;;\n", c.Name, strings.Join(longFlags(c), " "))
		}
	}
	fmt.Fprint(w, `  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _dockslim dockslim
`)
}

func zshCompletion(w io.Writer, cmds []*cli.Command) {
	fmt.Fprint(w, "#compdef dockslim\n# zsh completion for dockslim: dockslim completion zsh > \"${fpath[1]}/_dockslim\"\n_dockslim() {\n  local -a commands\n  commands=(\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s\n", zshQuote(c.Name+":"+c.Usage))
	}
	fmt.Fprint(w, "  )\n  if (( CURRENT == 2 )); then\n    _describe command commands\n    return\n  fi\n  case $words[2] in\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s)\n      _arguments \\\n", c.Name)
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				spec := dashes(n) + n + "[" + zshEscape(usageOf(f)) + "]"
				if _, isBool := f.(*cli.BoolFlag); !isBool {
					spec += ":" + n + ":"
					if vals := flagValues(n); len(vals) > 0 {
						spec += "(" + strings.Join(vals, " ") + ")"
					} else {
						spec += "_files"
					}
				}
				fmt.Fprintf(w, "        %s \\\n", zshQuote(spec))
			}
		}
		arg := "'*:path:_files'"
		if c.Name == "completion" {
			arg = "'1:shell:(bash zsh fish)'"
		}
		fmt.Fprintf(w, "        %s ;;\n", arg)
	}
	fmt.Fprint(w, "  esac\n}\ncompdef _dockslim dockslim\n")
}

func fishCompletion(w io.Writer, cmds []*cli.Command) {
	fmt.Fprint(w, "# fish completion for dockslim: dockslim completion fish > ~/.config/fish/completions/dockslim.fish\ncomplete -c dockslim -f\n")
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c dockslim -n __fish_use_subcommand -a %s -d %s\n", c.Name, fishQuote(c.Usage))
	}
	fmt.Fprint(w, "complete -c dockslim -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'\n")
	for _, c := range cmds {
		cond := fishQuote("__fish_seen_subcommand_from " + c.Name)
		if c.ArgsUsage != "" && c.Name != "completion" {
			fmt.Fprintf(w, "complete -c dockslim -n %s -F\n", cond)
		}
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				opt := "-l " + n
				if len(n) == 1 {
					opt = "-s " + n
				}
				line := fmt.Sprintf("complete -c dockslim -n %s %s -d %s", cond, opt, fishQuote(usageOf(f)))
				if _, isBool := f.(*cli.BoolFlag); !isBool {
					line += " -r"
					if vals := flagValues(n); len(vals) > 0 {
						line += " -a " + fishQuote(strings.Join(vals, " "))
					}
				}
				fmt.Fprintln(w, line)
			}
		}
	}
}

func usageOf(f cli.Flag) string {
	if d, ok := f.(cli.DocGenerationFlag); ok {
		return strings.ReplaceAll(d.GetUsage(), "`", "")
	}
	return ""
}

func zshEscape(s string) string {
	return strings.NewReplacer("[", `\[`, "]", `\]`, ":", `\:`).Replace(s)
}

func zshQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}
