# Sourced by the other scripts; not run on its own.

die() {
  echo "error: $*" >&2
  exit 1
}

# cargo install puts tauri-driver in ~/.cargo/bin, which login shells may not have on PATH.
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  *":$cargo_bin:"*) ;;
  *) export PATH="$cargo_bin:$PATH" ;;
esac
unset cargo_bin

# The cargo target directory: CARGO_TARGET_DIR, or the workspace's target/.
cargo_target_dir() {
  cargo metadata --format-version 1 --no-deps |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))'
}

# What the Debian package ships, as package:binary: the window, the standalone sandbox, the
# inspector's receiver and, once its crate exists, the command-line client.
shipped_binaries() {
  echo botbat-console:botbat-console botbat-sandbox:botbat-sandbox botbat-webhooks:botbat-receiver
  if [[ -f crates/botbat-cli/Cargo.toml ]]; then
    echo botbat-cli:botbat
  fi
}
