# Sourced by scripts/*: installs the Debian packages the build needs, only when missing.
# Quiet when everything is present, so CI logs and repeated runs stay clean.

mq_require_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    if [ -x /opt/swift/usr/bin/swift ]; then
      export PATH="/opt/swift/usr/bin:$PATH"
    else
      echo "error: swift is not on PATH (Swift 6.2 or later is required)" >&2
      exit 2
    fi
  fi
}

mq_require_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What every build needs: the C libraries of the shim targets and pkg-config to find them.
MQ_BUILD_PACKAGES=(libedit-dev libcurl4-openssl-dev pkg-config)
# What the tests use besides: curl runs the examples; openssl and python3 make and serve
# a throwaway CA for the TLS tests; tmux drives the interactive shell in a terminal;
# bash-completion and man-db are what scripts/check-install asks to complete and show.
MQ_TEST_PACKAGES=(curl openssl python3 tmux bash-completion man-db)
