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
