package slimbase

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleJRE is DS207.
var RuleJRE = &rewrite.Rule{
	ID:      "DS207",
	Name:    "jdk-runs-jar",
	Summary: "the final image is a JDK (compiler, build tools) that only runs a jar; the JRE variant is smaller",
	Explanation: `A JDK image (eclipse-temurin:21, -jdk, the deprecated openjdk, maven and
gradle images built on eclipse-temurin) carries javac, jar, jlink, jshell,
the debugging tools and, for maven and gradle, the build tool: none of it
runs a jar. eclipse-temurin's -jre variant of the same Java version and
distribution has only the runtime (about half the size).

dockslim proposes the JRE tag that the official-images index has for the
base (eclipse-temurin:21 → 21-jre, 17-jdk-noble → 17-jre-noble; openjdk:17,
maven:3.9-eclipse-temurin-17 and gradle:8-jdk17 → eclipse-temurin:17-jre,
-alpine kept), with both compressed sizes when known. It swaps the FROM
(unsafe: the application could run a JDK tool at run time, a JSP compiler or
jcmd) only when it can tell the image just runs a jar:
  - the last ENTRYPOINT or CMD runs java -jar;
  - no command of the stage or of the stages built FROM it (RUN, CMD,
    ENTRYPOINT, HEALTHCHECK) runs a JDK-only tool (javac, jar, jlink, jdeps,
    jshell, jcmd, jstack, jmap, ...); a stage that builds (a RUN runs one,
    or anything runs mvn, gradle or ant) is left to DS403, which splits it
    into a JDK build stage and a JRE runtime stage;
  - for openjdk, maven and gradle, which become another image, the stages
    run no RUN at all (their commands were written for the other image).
Otherwise it reports the JRE tag and why it does not swap.`,
	Before:        "FROM eclipse-temurin:21\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]",
	After:         "FROM eclipse-temurin:21-jre\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]",
	Applicability: rewrite.Unsafe,
	ImageSizeOnly: true,
	Severity:      rewrite.Warning,
}

// JREPass is the JDK-to-JRE pass.
var JREPass = &rewrite.Pass{Name: "jre", Rules: []*rewrite.Rule{RuleJRE}, Run: runJRE}

// jdkOnly are the programs a JDK (or a build image) has and a JRE lacks.
var jdkOnly = []string{"javac", "jar", "jlink", "jdeps", "jpackage", "jshell", "jarsigner", "javadoc", "javap",
	"jcmd", "jstack", "jmap", "jstat", "jinfo", "jhsdb", "jconsole", "jdb", "jfr", "jimage", "jmod", "serialver",
	"jwebserver", "jdeprscan", "jps", "jstatd", "rmic", "mvn", "mvnw", "gradle", "gradlew", "ant", "kotlinc"}

// buildTools build at start: a stage that runs them is DS403's.
var buildTools = []string{"mvn", "mvnw", "gradle", "gradlew", "ant"}

func runJRE(c *rewrite.Context) {
	for _, b := range finalBases(c.File) {
		if !b.Official {
			continue
		}
		to, ok := jreFor(b.Ref)
		if !ok {
			continue
		}
		jreFinding(c, b, to)
	}
}

// isJRE reports whether a Java image tag is a JRE already (openjdk:11-jre-slim).
func isJRE(r images.Ref) bool { return slices.Contains(strings.Split(r.Tag, "-"), "jre") }

// jreFor is the eclipse-temurin JRE tag the index has for a JDK image.
func jreFor(r images.Ref) (images.Ref, bool) {
	if isJRE(r) {
		return images.Ref{}, false
	}
	switch r.Image {
	case "eclipse-temurin", "openjdk":
		cands, _ := images.SlimCandidates(r.Image, r.Tag)
		for _, cd := range cands {
			if cd.Variant == "jre" {
				return cd.Ref(), true
			}
		}
	case "maven", "gradle":
		major := ""
		for _, w := range strings.Split(r.Tag, "-") {
			if v, ok := strings.CutPrefix(w, "jdk"); ok && v != "" && digits(v) {
				major = v
			}
		}
		if i := strings.Index(r.Tag, "eclipse-temurin-"); i >= 0 {
			major, _, _ = strings.Cut(r.Tag[i+len("eclipse-temurin-"):], "-")
		} else if r.Image == "maven" {
			return images.Ref{}, false // amazoncorretto, ibmjava, sapmachine...: not temurin
		}
		if major == "" || !digits(major) {
			return images.Ref{}, false
		}
		tag := major + "-jre"
		if fam, _ := images.Distro(r.Image, r.Tag); fam == images.Alpine {
			tag += "-alpine"
		}
		if _, ok := images.Tag("eclipse-temurin", tag); ok {
			return images.Ref{Image: "eclipse-temurin", Tag: tag}, true
		}
	}
	return images.Ref{}, false
}

// jreFinding swaps b for the JRE to when the stages only run a jar, and
// otherwise says why not.
func jreFinding(c *rewrite.Context, b baseImage, to images.Ref) {
	f := c.File
	stages := descendants(f, b.Stage)
	msg, _ := images.SavingMessage(b.Ref, to)
	why := ""
	for _, u := range stageUses(stages) {
		if slices.Contains(jdkOnly, u.Name) && (u.In.Is("run") || slices.Contains(buildTools, u.Name)) {
			return // a build: the multi-stage pass (DS403) splits it or says why not
		}
		if slices.Contains(jdkOnly, u.Name) && why == "" {
			why = fmt.Sprintf("line %d runs %s, which the JRE lacks", line(f, u.Off), u.Name)
		}
		if u.In.Is("run") && to.Image != b.Ref.Image && why == "" {
			why = fmt.Sprintf("line %d runs commands written for %s, and %s is another image", line(f, u.Off), b.Ref, to)
		}
	}
	start := lastStart(stages)
	if why == "" && !runsJar(start) {
		why = "the image does not run java -jar (its last ENTRYPOINT / CMD), so dockslim cannot tell it needs only the runtime"
	}
	if why != "" {
		c.Reportf(RuleJRE, b.Stage.Base.Start, "%s; the JRE variant has no compiler nor JDK tools; not swapped: %s", msg, why)
		return
	}
	edits, _, declined := b.retarget(f, withoutDigest(b.withTag(to.Tag, ""), to))
	if declined != "" {
		c.Reportf(RuleJRE, b.Stage.Base.Start, "%s; not swapped: %s", msg, declined)
		return
	}
	note := ""
	if b.Digest != "" {
		note = "; WARNING: the digest pinned " + b.Ref.String() + "'s content and is dropped; pin " + to.String() + "'s digest again"
	}
	text := fmt.Sprintf("%s; the image only runs java -jar (%s at line %d) and no JDK tool, which the JRE (no javac, jar, jlink, jcmd) is enough for%s",
		msg, strings.ToUpper(start.Keyword), start.StartLine, note)
	c.Report(rewrite.Finding{Rule: RuleJRE, Offset: b.Stage.Base.Start, Message: text,
		Fix: &rewrite.Fix{Applicability: rewrite.Unsafe, Description: text, Edits: edits}})
}

// withoutDigest is the new reference: the image name changes when the JRE
// is another image (openjdk → eclipse-temurin).
func withoutDigest(ref string, to images.Ref) string {
	name, _, _ := strings.Cut(ref, "@")
	i := strings.LastIndex(name, ":")
	if i < 0 || strings.Contains(name[i:], "/") {
		return name
	}
	repo := name[:i]
	if path.Base(repo) != to.Image {
		repo = strings.TrimSuffix(repo, path.Base(repo)) + to.Image
	}
	return repo + ":" + to.Tag
}

func digits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }
