package multistage

import "testing"

func cargo(toml string, more ...string) map[string]string {
	m := map[string]string{"Cargo.toml": toml, "src/main.rs": "fn main() {}\n"}
	for i := 0; i+1 < len(more); i += 2 {
		m[more[i]] = more[i+1]
	}
	return m
}

const rustApp = "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"

func TestRecogniseRust(t *testing.T) {
	hello := cargo("[package]\nname = \"hello\"\nversion = \"0.1.0\"\n")
	runRecCases(t, recogniseRust, []recCase{
		{name: "release", files: hello, src: rustApp, want: "split: the binary /app/target/release/hello"},
		{name: "debug profile", files: hello, want: "split: the binary /app/target/debug/hello",
			src: "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nRUN cargo build\nCMD [\"./target/debug/hello\"]\n"},
		{name: "--bin, --target and CARGO_TARGET_DIR", files: hello,
			want: "split: the binary /build/x86_64-unknown-linux-gnu/release/srv",
			src:  "FROM rust:1.75-bookworm\nENV CARGO_TARGET_DIR=/build\nWORKDIR /app\nCOPY . .\nRUN cargo build -r --bin srv --target x86_64-unknown-linux-gnu\nCMD [\"/build/x86_64-unknown-linux-gnu/release/srv\"]\n"},
		{name: "[[bin]] entries and the package", files: cargo("[package]\nname = \"hello\"\n\n[[bin]]\nname = \"tool\"\npath = \"src/tool.rs\"\n"),
			src: rustApp, want: "split: the binaries /app/target/release/hello, /app/target/release/tool"},
		{name: "openssl-sys adds libssl", want: "split: the binary /app/target/release/hello",
			files: cargo("[package]\nname = \"hello\"\n[dependencies]\nopenssl = \"0.10\"\n", "Cargo.lock", "[[package]]\nname = \"openssl-sys\"\nversion = \"0.9\"\n"),
			src:   rustApp},
		{name: "alpine", files: hello, want: "split: the binary /app/target/release/hello",
			src: "FROM rust:1.75-alpine3.19\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},

		{name: "not rust", want: "none", src: "FROM debian:bookworm\nRUN cargo build --release\nCMD [\"/app/hello\"]\n"},
		{name: "cargo run at runtime", want: "decline: cargo run",
			src: "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nCMD [\"cargo\", \"run\", \"--release\"]\n"},
		{name: "no build and no toolchain at runtime", want: "none",
			src: "FROM rust:1.75\nCOPY hello /hello\nCMD [\"/hello\"]\n"},

		{name: "variable in the build", want: "decline: uses variables",
			src: "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nRUN cargo build $FLAGS\nCMD [\"./target/release/hello\"]\n"},
		{name: "cd before the build", want: "decline: changes directory",
			src: "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nRUN cd srv && cargo build --release\nCMD [\"./target/release/hello\"]\n"},
		{name: "workspace member", want: "decline: dockslim handles a single package",
			src: "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nRUN cargo build --release -p api\nCMD [\"./target/release/api\"]\n"},
		{name: "target dir from a variable", want: "decline: target folder uses a variable",
			src: "FROM rust:1.75\nARG OUT\nENV CARGO_TARGET_DIR=$OUT\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},
		{name: "no context", src: rustApp, want: "decline: Cargo.toml, which is not in the build context"},
		{name: "workspace manifest", files: cargo("[workspace]\nmembers = [\"a\"]\n"), src: rustApp, want: "decline: is a workspace"},
		{name: "no binary", files: map[string]string{"Cargo.toml": "[lib]\nname = \"x\"\n"}, src: rustApp, want: "decline: names no binary"},
		{name: "dependencies without Cargo.lock", files: cargo("[package]\nname = \"hello\"\n[dependencies]\nserde = \"1\"\n"),
			src: rustApp, want: "decline: Cargo.lock is not in the build context"},
		{name: "an unknown -sys crate", want: "decline: the dependency libgit2-sys links a native library",
			files: cargo("[package]\nname = \"hello\"\n[dependencies]\ngit2 = \"0.18\"\n", "Cargo.lock", "[[package]]\nname = \"libgit2-sys\"\n"),
			src:   rustApp},
		{name: "a pure -sys crate", want: "split: the binary /app/target/release/hello",
			files: cargo("[package]\nname = \"hello\"\n[dependencies]\nrustix = \"0.38\"\n", "Cargo.lock", "[[package]]\nname = \"linux-raw-sys\"\n"),
			src:   rustApp},
		{name: "alpine without a release", files: hello, want: "decline: the Alpine release",
			src: "FROM rust:alpine\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},
		{name: "openssl on alpine", want: "split: the binary /app/target/release/hello",
			files: cargo("[package]\nname = \"hello\"\n[dependencies]\nopenssl = \"0.10\"\n", "Cargo.lock", "[[package]]\nname = \"openssl-sys\"\n"),
			src:   "FROM rust:1.75-alpine3.19\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},
		{name: "unknown Debian release", files: hello, want: "decline: does not know the Debian release",
			src: "FROM rust:nightly\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},
		// Floating tags: the release is the tag index's (trixie).
		{name: "rust:latest", files: hello, want: "split: the binary /app/target/release/hello",
			src: "FROM rust:latest\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},
		{name: "rust:1-slim", files: hello, want: "split: the binary /app/target/release/hello",
			src: "FROM rust:1-slim\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\nCMD [\"./target/release/hello\"]\n"},
	})
}

func TestParseCargoTomlTricky(t *testing.T) {
	ct := parseCargoToml("# c\n[package]\nname = \"a\" # x\n\n[[bin]]\nname = 'b'\n\n[dev-dependencies]\ncriterion = \"0.5\"\n")
	// dev-dependencies are not linked into the binary.
	if ct.pkg != "a" || len(ct.bins) != 1 || ct.bins[0] != "b" || ct.workspace || ct.hasDeps {
		t.Errorf("parseCargoToml: %+v", ct)
	}
	ct = parseCargoToml("[package]\nname = \"a\"\n[dependencies]\n[workspace]\n")
	if ct.hasDeps || !ct.workspace {
		t.Errorf("parseCargoToml: empty [dependencies], [workspace]: %+v", ct)
	}
	if got := lockPackages("[[package]]\nname = \"x\"\nversion = \"1\"\n\n[[package]]\nname = \"y-sys\"\n"); len(got) != 2 || got[1] != "y-sys" {
		t.Errorf("lockPackages: %v", got)
	}
}
