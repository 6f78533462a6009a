package pkgcache

import (
	"strings"

	"github.com/dockslim/dockslim/internal/shellcmd"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleCondaClean is DS140.
var RuleCondaClean = &rewrite.Rule{
	ID:      "DS140",
	Name:    "conda-clean",
	Summary: "conda/mamba/micromamba install leaves package tarballs and caches in the layer; clean them in the same RUN",
	Explanation: `conda keeps every downloaded package tarball, its extracted copy and the channel
index cache in the package cache (<root prefix>/pkgs, CONDA_PKGS_DIRS). After
"conda install" / "conda create" / "conda env create|update" / "conda update" in a
RUN, all of it is in the image layer, often hundreds of MB.

dockslim appends, in the same RUN, after the last such command, the cleanup each
tool documents for container images:
  conda       && conda clean -afy
  mamba       && mamba clean --all -f -y
  micromamba  && micromamba clean --all --yes
(-f, --force-pkgs-dirs, removes the package cache folders entirely. conda
hard-links package files into environments by default, so the environments keep
working; with CONDA_ALWAYS_SOFTLINK set they would not, and dockslim only reports.)

Left alone: a RUN that already runs "<tool> clean" after the install, or with a
cache (or tmpfs) mount on the package cache. Exec form: reported only.

With --cache-mounts, dockslim mounts the package cache as a BuildKit cache
instead: CONDA_PKGS_DIRS, MAMBA_ROOT_PREFIX/pkgs, or /opt/conda/pkgs on the
continuumio and condaforge images. (mambaorg/micromamba runs as a non-root user:
reported, the mount needs uid=/gid= options.)`,
	Before:        "RUN conda env create -f environment.yml",
	After:         "RUN conda env create -f environment.yml && conda clean -afy",
	Applicability: rewrite.Safe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// CondaPass is the conda pass.
var CondaPass = &rewrite.Pass{Name: "conda", Rules: []*rewrite.Rule{RuleCondaClean}, Run: runConda}

func isConda(name string) bool { return name == "conda" || name == "mamba" || name == "micromamba" }

func condaInstall(lc *langCmd) string {
	if !isConda(lc.Name) {
		return ""
	}
	words, _ := lc.Words(shellcmd.Conda.ValueOpts)
	switch {
	case len(words) == 0:
	case words[0] == "install" || words[0] == "create" || words[0] == "update" || words[0] == "upgrade":
		return words[0]
	case words[0] == "env" && len(words) > 1 && (words[1] == "create" || words[1] == "update"):
		return "env " + words[1]
	}
	return ""
}

func condaCleanup(name string) string {
	switch name {
	case "mamba":
		return "mamba clean --all -f -y"
	case "micromamba":
		return "micromamba clean --all --yes"
	}
	return "conda clean -afy"
}

// condaPkgsDir is the package cache folder when known and literal.
func condaPkgsDir(f *parser.File, lc *langCmd) (dir, why string) {
	if v, ok := langVar(f, lc, "CONDA_PKGS_DIRS"); ok {
		first, _, _ := strings.Cut(v, ",")
		if p, ok := langLiteralPath(first); ok {
			return p, ""
		}
		return "", "CONDA_PKGS_DIRS is not a literal path"
	}
	if v, ok := langVar(f, lc, "MAMBA_ROOT_PREFIX"); ok && lc.Name == "micromamba" {
		if p, ok := langLiteralPath(v); ok {
			return p + "/pkgs", ""
		}
	}
	if langOfficial(lc.In.Stage, "mambaorg/micromamba") {
		return "", "the mambaorg/micromamba image runs as a non-root user: the mount needs uid=/gid= options"
	}
	if langOfficial(lc.In.Stage, "continuumio/miniconda3", "continuumio/anaconda3", "condaforge/miniforge3",
		"condaforge/mambaforge", "condaforge/miniforge-pypy3") {
		return "/opt/conda/pkgs", ""
	}
	return "", "dockslim does not know where this image keeps conda's package cache"
}

func runConda(c *rewrite.Context) {
	f := c.File
	isClean := func(lc *langCmd) bool {
		if isConda(lc.Name) {
			words, _ := lc.Words(shellcmd.Conda.ValueOpts)
			return len(words) > 0 && words[0] == "clean"
		}
		return false
	}
	for last, sub := range langLastInstalls(f, condaInstall, isClean) {
		sub = last.Name + " " + sub
		dir, why := condaPkgsDir(f, last)
		if langHasMount(last.In, dir, "/opt/conda/pkgs") {
			continue
		}
		if c.Options.CacheMounts {
			if dir == "" {
				c.Reportf(RuleCondaClean, last.Start(), "%s: mount the package cache with RUN --mount=type=cache,target=<root prefix>/pkgs by hand (%s)", sub, why)
				continue
			}
			langMount(c, RuleCondaClean, last, rewrite.Safe, []string{dir}, sub)
			continue
		}
		if v, ok := langVar(f, last, "CONDA_ALWAYS_SOFTLINK"); ok && langBoolish(v) && last.Name != "micromamba" {
			c.Reportf(RuleCondaClean, last.Start(), "%s: the package cache stays in the layer, but with CONDA_ALWAYS_SOFTLINK the environments link into it, so %s clean -f would break them; run %s clean -ity (index cache, tarballs) in the same RUN instead", sub, last.Name, last.Name)
			continue
		}
		langAppend(c, RuleCondaClean, last, condaCleanup(last.Name),
			"%s: clean the package cache in the same RUN so tarballs and extracted packages stay out of the layer", sub)
	}
}
