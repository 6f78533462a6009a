package multistage

import "testing"

const pomXML = `<project><modelVersion>4.0.0</modelVersion><artifactId>app</artifactId><version>1.0</version></project>`

func TestRecogniseJava(t *testing.T) {
	pom := map[string]string{"pom.xml": pomXML}
	runRecCases(t, recogniseJava, []recCase{
		{name: "maven package", files: pom, want: "split: the jar /app/target/app-1.0.jar",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn -B package -DskipTests\nCMD [\"java\", \"-jar\", \"target/app-1.0.jar\"]\n"},
		{name: "gradle bootJar, a glob", want: "split: the jars /app/build/libs/*.jar",
			src: "FROM gradle:8.5-jdk21\nWORKDIR /app\nCOPY . .\nRUN gradle bootJar --no-daemon\nCMD java -jar build/libs/*.jar\n"},
		{name: "jar moved after the build", want: "split: the jar /app.jar",
			src: "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /src\nCOPY . .\nRUN mvn package && cp target/app-1.0.jar /app.jar\nENTRYPOINT [\"java\", \"-jar\", \"/app.jar\"]\n"},
		{name: "alpine JRE", files: pom, want: "split: the jar /app/target/app-1.0.jar",
			src: "FROM maven:3.9.6-eclipse-temurin-21-alpine\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/app-1.0.jar\"]\n"},

		{name: "javac and jar --create", want: "split: the jar /app/app.jar",
			src: "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN mkdir -p out && javac -d out $(find src -name '*.java') && jar --create --file app.jar --main-class a.Main -C out .\nCMD [\"java\", \"-jar\", \"/app/app.jar\"]\n"},
		{name: "javac and jar cfe, relative CMD", want: "split: the jar /srv/dist/tool.jar",
			src: "FROM openjdk:21-jdk-slim\nWORKDIR /srv\nCOPY src src\nRUN javac -d classes src/a/Main.java\nRUN jar cfe dist/tool.jar a.Main -C classes .\nENTRYPOINT [\"java\", \"-jar\", \"dist/tool.jar\"]\n"},
		{name: "jar with a manifest", want: "decline: takes a manifest, whose Class-Path",
			src: "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out src/a/Main.java && jar cfm app.jar MANIFEST.MF -C out .\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"},
		{name: "jar file from a variable", want: "decline: does not name its file with a literal --file",
			src: "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out src/a/Main.java && jar --create --file \"$JAR\" -C out .\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"},
		{name: "cd before jar", want: "decline: changes directory before jar",
			src: "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out src/a/Main.java && cd out && jar cf ../app.jar .\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"},
		{name: "CMD runs another jar than jar wrote", want: "decline: CMD runs /app/lib/app.jar, which is not where jar puts the jar (/app/app.jar)",
			src: "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY . .\nRUN javac -d out src/a/Main.java && jar cf app.jar -C out .\nCMD [\"java\", \"-jar\", \"lib/app.jar\"]\n"},
		{name: "jar listing is no build", want: "none",
			src: "FROM eclipse-temurin:17-jdk\nWORKDIR /app\nCOPY app.jar .\nRUN jar tf app.jar\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"},

		{name: "not a Java image", want: "none",
			src: "FROM debian:bookworm\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n"},
		{name: "maven without a build phase", want: "none",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY app.jar .\nRUN mvn -v\nCMD [\"java\", \"-jar\", \"app.jar\"]\n"},
		{name: "spring-boot:run at runtime", want: "decline: compiles and runs through the build tool",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nCMD [\"mvn\", \"spring-boot:run\"]\n"},
		{name: "spring-boot:run after a build", want: "decline: compiles and runs through the build tool",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"mvn\", \"spring-boot:run\"]\n"},

		{name: "unknown Java version", want: "decline: cannot tell the Java version",
			src: "FROM maven:latest\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n"},
		{name: "no JRE for the version", want: "decline: no eclipse-temurin JRE tag for Java 19",
			src: "FROM eclipse-temurin:19-jdk\nWORKDIR /app\nCOPY . .\nRUN ./mvnw package\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n"},
		{name: "CMD without -jar", want: "decline: does not run java -jar",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-cp\", \"target/classes\", \"Main\"]\n"},
		{name: "jar path from a variable", want: "decline: uses a variable",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"$JAR\"]\n"},
		// A shell-form CMD's $JAR reaches javaJar as "" (programsOf keeps
		// only literal values), so the jar is "/app" and the reason is
		// wrong; it declines all the same. Reported in issue 14's notes.
		{name: "jar path from an ENV in a shell-form CMD", want: "decline: CMD runs /app, which is not where maven puts the jar", files: pom,
			src: "FROM maven:3.9-eclipse-temurin-17\nENV JAR=target/app-1.0.jar\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD java -jar $JAR\n"},
		{name: "jar elsewhere", want: "decline: which is not where maven puts the jar",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"/opt/app.jar\"]\n"},
		{name: "pom builds another jar", files: pom, want: "decline: pom.xml builds app-1.0.jar",
			src: "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/other.jar\"]\n"},
		{name: "multi-module pom", want: "decline: multi-module",
			files: map[string]string{"pom.xml": `<project><artifactId>p</artifactId><version>1</version><modules><module>a</module></modules></project>`},
			src:   "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/p-1.jar\"]\n"},
		{name: "war packaging", want: "decline: packages a war",
			files: map[string]string{"pom.xml": `<project><artifactId>p</artifactId><version>1</version><packaging>war</packaging></project>`},
			src:   "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/p-1.jar\"]\n"},
		{name: "pom does not parse", want: "decline: pom.xml does not parse",
			files: map[string]string{"pom.xml": `<project><artifactId>`},
			src:   "FROM maven:3.9-eclipse-temurin-17\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD [\"java\", \"-jar\", \"target/p-1.jar\"]\n"},
	})
}

func TestJavaVersion(t *testing.T) {
	for _, c := range []struct {
		repo, tag, want string
		ok              bool
	}{
		{"eclipse-temurin", "17-jdk", "17", true},
		{"eclipse-temurin", "21", "21", true},
		{"openjdk", "11-jdk-slim", "11", true},
		{"maven", "latest", "", false},
		{"gradle", "8.5-jdk17-jammy", "17", true},
	} {
		got, ok := javaVersion(c.repo, c.tag)
		if got != c.want || ok != c.ok {
			t.Errorf("javaVersion(%s, %s) = %q, %v; want %q, %v", c.repo, c.tag, got, ok, c.want, c.ok)
		}
	}
}

func TestJarCreate(t *testing.T) {
	for _, c := range []struct {
		argv     []string
		want     jarArchive
		variable int // index of a non-literal word, or 0
	}{
		{argv: []string{"jar", "--create", "--file", "app.jar", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "--create", "--file=x/app.jar", "--main-class=a.Main"}, want: jarArchive{create: true, file: "x/app.jar"}},
		{argv: []string{"jar", "-c", "-f", "app.jar", "-e", "a.Main", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "-cf", "app.jar", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "cvfe", "app.jar", "a.Main", "-C", "out", "."}, want: jarArchive{create: true, file: "app.jar"}},
		{argv: []string{"jar", "cmf", "MANIFEST.MF", "app.jar", "out"}, want: jarArchive{create: true, file: "app.jar", manifest: true}},
		{argv: []string{"jar", "--create", "--manifest", "m.txt", "--file", "app.jar"}, want: jarArchive{create: true, file: "app.jar", manifest: true}},
		{argv: []string{"jar", "c", "-C", "out", "."}, want: jarArchive{create: true}},
		{argv: []string{"jar", "--create", "--file", "", "out"}, want: jarArchive{create: true}, variable: 3},
		{argv: []string{"jar", "tf", "app.jar"}, want: jarArchive{file: "app.jar"}},
		{argv: []string{"jar", "xf", "app.jar"}, want: jarArchive{file: "app.jar"}},
	} {
		lit := make([]bool, len(c.argv))
		for i := range lit {
			lit[i] = i != c.variable || c.variable == 0
		}
		if got := jarCreate(command{argv: c.argv, lit: lit}); got != c.want {
			t.Errorf("jarCreate(%q) = %+v, want %+v", c.argv, got, c.want)
		}
	}
}
