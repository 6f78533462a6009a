package multistage

import (
	"encoding/xml"
	"path"
	"slices"
	"strings"

	"github.com/dockslim/dockslim/internal/images"
	"github.com/dockslim/dockslim/parser"
	"github.com/dockslim/dockslim/rewrite"
)

// RuleJava is DS403.
var RuleJava = &rewrite.Rule{
	ID:      "DS403",
	Name:    "java-multistage",
	Summary: "a Java image built with Maven, Gradle or javac and jar ships the JDK and build tool; run the jar on a JRE runtime stage",
	Explanation: `maven, gradle and JDK images carry the compiler, the build tool and its
repository cache (~/.m2, ~/.gradle): hundreds of MB that the running jar never
uses. dockslim names the build stage (AS build) and adds an
eclipse-temurin:<version>-jre runtime stage that copies only the jar.

What it relies on:
- the build is "mvn package|verify|install" (or ./mvnw), "gradle
  build|assemble|jar|bootJar|shadowJar" (or ./gradlew), or the JDK's own
  "jar --create --file <jar>" (or "jar cf <jar>") after javac: the jar it
  writes, relative to the WORKDIR, is the one CMD runs; a manifest (whose
  Class-Path may name files beside the jar), a file name that is not
  literal or a cd in the same RUN declines;
- the jar is the one the ENTRYPOINT / CMD runs with "java -jar <path>": it
  must be under target/ (Maven) or build/libs/ (Gradle) of the build's
  WORKDIR, or where a cp / mv of the build stage puts it. With pom.xml in
  the context, its name must be <finalName>.jar or <artifactId>-<version>.jar
  (a multi-module or non-jar packaging declines). A shell-form CMD with a
  glob (target/*.jar) copies the jars that glob matches into the same folder,
  so the runtime shell picks the same file;
- the Java version comes from the builder tag: maven:3-eclipse-temurin-17 →
  17, maven:3.8-openjdk-11 → 11, gradle:8-jdk21 → 21, eclipse-temurin:17-jdk
  and openjdk:17 → 17; Alpine builders get the -jre-alpine tag. Only the LTS
  versions with published JRE tags (8, 11, 17, 21, 25) are used; other or
  unknown versions decline.
` + explainCommon,
	Before: `FROM maven:3-eclipse-temurin-17
WORKDIR /app
COPY . .
RUN mvn -B package -DskipTests
CMD ["java", "-jar", "target/app-1.0.jar"]`,
	After: `FROM maven:3-eclipse-temurin-17 AS build
WORKDIR /app
COPY . .
RUN mvn -B package -DskipTests

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /app/target/app-1.0.jar /app/target/app-1.0.jar
CMD ["java", "-jar", "target/app-1.0.jar"]`,
	Applicability: rewrite.Unsafe,
	Severity:      rewrite.Info,
	ConfigKeys:    []string{"runtime-base"},
}

// JavaPass is the multistage-java pass.
var JavaPass = newPass("java", RuleJava, recogniseJava)

var (
	mavenPhases  = []string{"package", "verify", "install"}
	gradleTasks  = []string{"build", "assemble", "jar", "bootJar", "shadowJar"}
	javaRuntimes = []string{"8", "11", "17", "21", "25"}
	javaRunTools = map[string]string{"spring-boot:run": "mvn spring-boot:run", "bootRun": "gradle bootRun", "run": "gradle run", "exec:java": "mvn exec:java"}
)

// javaVersion reads the Java major version from a builder image tag.
func javaVersion(repo, tag string) (string, bool) {
	parts := strings.Split(tag, "-")
	switch repo {
	case "maven":
		vendors := []string{"temurin", "openjdk", "amazoncorretto", "corretto", "sapmachine", "semeru", "ibmjava"}
		for i := 1; i < len(parts); i++ {
			if slices.Contains(vendors, parts[i-1]) && isNumeric(parts[i]) {
				return parts[i], true
			}
		}
	case "gradle":
		for _, p := range parts {
			if v, ok := strings.CutPrefix(p, "jdk"); ok && isNumeric(v) {
				return v, true
			}
		}
	case "eclipse-temurin", "openjdk":
		if hasWord(parts, "jre") {
			return "", false
		}
		major, _, _ := strings.Cut(parts[0], ".")
		major, _, _ = strings.Cut(major, "u") // 8u402
		if isNumeric(major) {
			return major, true
		}
	}
	return "", false
}

func isMaven(c command) bool  { return c.name() == "mvn" || c.name() == "mvnw" }
func isGradle(c command) bool { return c.name() == "gradle" || c.name() == "gradlew" }

// javaBuild finds the stage's last build command and its tool: maven,
// gradle, or jar (a jar created by the JDK's jar tool, after javac).
func (si *stageInfo) javaBuild() (*command, string) {
	var build *command
	tool := ""
	for _, c := range si.runCommands(nil) {
		c := c
		switch {
		case isMaven(c) && anyWord(c.argv[1:], mavenPhases):
			build, tool = &c, "maven"
		case isGradle(c) && anyWord(c.argv[1:], gradleTasks):
			build, tool = &c, "gradle"
		case c.name() == "jar" && jarCreate(c).create:
			build, tool = &c, "jar"
		}
	}
	return build, tool
}

func recogniseJava(si *stageInfo) (*plan, *decline) {
	repo := si.repo()
	if repo != "maven" && repo != "gradle" && repo != "eclipse-temurin" && repo != "openjdk" {
		return nil, nil
	}
	build, tool := si.javaBuild()
	if build == nil {
		if d := si.javaRunTool(); d != nil {
			return nil, d
		}
		return nil, si.toolchainAtRuntime()
	}
	in := build.in
	rt, d := si.javaRuntime()
	if d != nil {
		return nil, d
	}
	buildWd, ok := si.workdirAt(in)
	if !ok {
		return nil, declinef(in.Start, "the WORKDIR uses a variable dockslim cannot follow")
	}
	if d := si.javaRunTool(); d != nil {
		return nil, d
	}
	jar, jarIn, d := si.javaJar()
	if d != nil {
		return nil, d
	}
	fromBuild, where, d := javaOutput(tool, *build, buildWd, jar)
	if d != nil {
		return nil, d
	}
	moves := func(c command) bool {
		if c.name() != "cp" && c.name() != "mv" {
			return false
		}
		pos := c.positional(nil)
		if len(pos) < 2 {
			return false
		}
		wd, _ := si.workdirAt(c.in)
		dst := abs(wd, pos[len(pos)-1])
		return dst == jar || dst == path.Dir(jar) && !strings.HasSuffix(jar, "*.jar")
	}
	if !fromBuild && !slices.ContainsFunc(si.runCommands(nil), func(c command) bool { return c.in.Index >= in.Index && moves(c) }) {
		return nil, declinef(jarIn.Start, "%s runs %s, which is not where %s puts the jar (%s) nor where the build stage copies it", strings.ToUpper(jarIn.Keyword), jar, tool, where)
	}
	if tool == "maven" && fromBuild && !strings.Contains(jar, "*") {
		if d := si.checkPom(jar, in); d != nil {
			return nil, d
		}
	}
	p := &plan{build: in, runtime: rt, what: "the jar " + jar}
	a := artifact{path: jar, chown: "auto"}
	if strings.ContainsAny(path.Base(jar), "*?[") {
		a.dst = path.Dir(jar) + "/"
		p.what = "the jars " + jar
	}
	p.artifacts = []artifact{a}
	p.buildOnly = func(c command) bool { return isMaven(c) || isGradle(c) || moves(c) }
	p.program = javaProgram(jar)
	return p, nil
}

// javaOutput tells whether the build puts the jar that CMD runs where CMD
// runs it, and where the build puts jars (for the decline message).
func javaOutput(tool string, build command, buildWd, jar string) (bool, string, *decline) {
	if tool != "jar" {
		outDir := map[string]string{"maven": "target", "gradle": "build/libs"}[tool]
		return covers(path.Join(buildWd, outDir), jar), outDir + "/", nil
	}
	in := build.in
	jc := jarCreate(build)
	switch {
	case jc.file == "":
		return false, "", declinef(in.Start, "the jar command at line %d does not name its file with a literal --file (or f), so dockslim cannot tell which jar it writes", in.StartLine)
	case jc.manifest:
		return false, "", declinef(in.Start, "the jar command at line %d takes a manifest, whose Class-Path may name files beside the jar that the runtime stage would lack", in.StartLine)
	}
	for _, c := range mustCommands(in) {
		if c.name() == "cd" || c.name() == "pushd" {
			return false, "", declinef(in.Start, "the RUN at line %d changes directory before jar", in.StartLine)
		}
	}
	out := abs(buildWd, jc.file)
	return out == jar, out, nil
}

// jarArchive is what a jar command line says about the archive it writes.
type jarArchive struct {
	create   bool   // -c, --create, or c in the first word's letters
	file     string // -f, --file, or f's operand ("" when not literal)
	manifest bool   // -m, --manifest, or m
}

// jarValueOpts are jar's options that take a value.
var jarValueOpts = []string{"-f", "--file", "-m", "--manifest", "-e", "--main-class", "-C", "-p", "--module-path",
	"--module-version", "--hash-modules", "--release", "--date"}

// jarCreate reads a jar command: the JDK's GNU-style options (--create
// --file app.jar, -c -f app.jar) and the old letter cluster (cf app.jar,
// cvfe app.jar Main, cfm app.jar MANIFEST), whose f, m and e take the
// following words in the order of the letters.
func jarCreate(c command) jarArchive {
	var j jarArchive
	i := 1
	if a := c.arg(1); a != "" && !strings.HasPrefix(a, "--") && strings.Trim(strings.TrimPrefix(a, "-"), "ctxuvfmeM0inP") == "" {
		i = 2 // f, m and e take the next words in turn
		for _, l := range strings.TrimPrefix(a, "-") {
			switch l {
			case 'c':
				j.create = true
			case 'f', 'm', 'e':
				if l == 'f' && i < len(c.argv) && c.lit[i] {
					j.file = c.argv[i]
				}
				j.manifest = j.manifest || l == 'm'
				i++
			}
		}
	}
	for ; i < len(c.argv); i++ {
		name, val, hasVal := strings.Cut(c.argv[i], "=")
		valLit := c.lit[i]
		if slices.Contains(jarValueOpts, name) && !hasVal && i+1 < len(c.argv) {
			i++
			val, valLit = c.argv[i], c.lit[i]
		}
		switch name {
		case "-c", "--create":
			j.create = true
		case "-f", "--file":
			j.file = ""
			if valLit {
				j.file = val
			}
		case "-m", "--manifest":
			j.manifest = true
		}
	}
	return j
}

// javaRuntime is the eclipse-temurin JRE of the builder's Java version,
// Alpine for an Alpine builder.
func (si *stageInfo) javaRuntime() (runtimeImage, *decline) {
	version, ok := javaVersion(si.repo(), si.tag())
	if !ok {
		return runtimeImage{}, declinef(si.st.From.Start, "dockslim cannot tell the Java version of %s", si.image.Raw)
	}
	if !slices.Contains(javaRuntimes, version) {
		return runtimeImage{}, declinef(si.st.From.Start, "dockslim knows no eclipse-temurin JRE tag for Java %s", version)
	}
	if isAlpineTag(si.tag()) {
		return runtimeImage{ref: "eclipse-temurin:" + version + "-jre-alpine", family: images.Alpine}, nil
	}
	return runtimeImage{ref: "eclipse-temurin:" + version + "-jre", family: images.Ubuntu}, nil
}

// javaProgram checks that a java command runs the copied jar.
func javaProgram(jar string) func(argv []string, wd string) (bool, string) {
	return func(argv []string, wd string) (bool, string) {
		if path.Base(argv[0]) != "java" {
			return false, ""
		}
		for i := 1; i < len(argv)-1; i++ {
			if argv[i] == "-jar" && abs(wd, argv[i+1]) == jar {
				return true, ""
			}
		}
		return true, "runs java without -jar " + jar + ", and only the jar is copied"
	}
}

func anyWord(xs []string, words []string) bool {
	for _, x := range xs {
		if slices.Contains(words, x) {
			return true
		}
	}
	return false
}

// javaRunTool declines a CMD that runs the application through the build
// tool (mvn spring-boot:run, gradle bootRun).
func (si *stageInfo) javaRunTool() *decline {
	return si.startPrograms(func(kw string, in *parser.Instruction, argv []string) *decline {
		c := command{argv: argv}
		if !isMaven(c) && !isGradle(c) {
			return nil
		}
		for _, a := range argv[1:] {
			if t, ok := javaRunTools[a]; ok {
				return declinef(in.Start, "%s at line %d runs %s, which compiles and runs through the build tool; run the jar with java -jar in a runtime stage instead", strings.ToUpper(kw), in.StartLine, t)
			}
		}
		return nil
	})
}

// javaJar finds the jar that ENTRYPOINT / CMD runs with java -jar.
func (si *stageInfo) javaJar() (string, *parser.Instruction, *decline) {
	wd, ok := si.workdirAt(nil)
	if !ok {
		return "", nil, declinef(si.st.From.Start, "the WORKDIR uses a variable dockslim cannot follow")
	}
	var ins []*parser.Instruction
	if ep := si.last("entrypoint"); ep != nil {
		ins = append(ins, ep)
		if cmd := si.last("cmd"); cmd != nil && ep.JSON {
			ins = append(ins, cmd)
		}
	} else if cmd := si.last("cmd"); cmd != nil {
		ins = append(ins, cmd)
	}
	for _, in := range ins {
		argvs, _, _ := programsOf(in)
		for _, argv := range argvs {
			for i := 0; i < len(argv)-1; i++ {
				if argv[i] == "-jar" && (i > 0 || in.Keyword == "cmd") {
					if strings.Contains(argv[i+1], "$") {
						return "", nil, declinef(in.Start, "the jar path %s uses a variable dockslim cannot follow", argv[i+1])
					}
					return abs(wd, argv[i+1]), in, nil
				}
			}
		}
	}
	at := si.st.From.Start
	if len(ins) > 0 {
		at = ins[0].Start
	}
	return "", nil, declinef(at, "the ENTRYPOINT / CMD does not run java -jar <file>, so dockslim cannot tell what the runtime stage needs")
}

// pom is what dockslim reads from a pom.xml.
type pom struct {
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Packaging  string `xml:"packaging"`
	Parent     struct {
		Version string `xml:"version"`
	} `xml:"parent"`
	FinalName string   `xml:"build>finalName"`
	Modules   []string `xml:"modules>module"`
}

// checkPom checks that the jar CMD runs is the one pom.xml builds.
func (si *stageInfo) checkPom(jar string, build *parser.Instruction) *decline {
	b, ok := si.contextFile("pom.xml")
	if !ok {
		return nil
	}
	var p pom
	if err := xml.Unmarshal(b, &p); err != nil {
		return declinef(build.Start, "pom.xml does not parse: %v", err)
	}
	if len(p.Modules) > 0 {
		return declinef(build.Start, "pom.xml is a multi-module build; dockslim cannot tell which module's jar the image runs")
	}
	if p.Packaging != "" && p.Packaging != "jar" {
		return declinef(build.Start, "pom.xml packages a %s, not a jar", p.Packaging)
	}
	version := p.Version
	if version == "" {
		version = p.Parent.Version
	}
	want := p.FinalName
	if want == "" {
		want = p.ArtifactID + "-" + version
	}
	if strings.Contains(want, "${") || p.ArtifactID == "" {
		return nil // properties: dockslim does not evaluate them
	}
	if path.Base(jar) != want+".jar" {
		return declinef(build.Start, "the CMD runs %s but pom.xml builds %s.jar", path.Base(jar), want)
	}
	return nil
}
