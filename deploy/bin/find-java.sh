# Sourced by the launcher and the test script. Sets JAVA_HOME to a JDK 25 or newer, or stops.
# Order: $JAVA_HOME, then every JDK under /usr/lib/jvm (newest first).
# GraalWasm's optimizing runtime needs JDK 25's JVMCI; an older JDK would run Wasm about 50x slower.

xdsdp_java_major() {
  # Prints the feature version of the JDK at $1 (e.g. 25), or nothing.
  local java="$1/bin/java"
  [ -x "$java" ] || return 0
  "$java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}

xdsdp_find_java() {
  local wanted=25 candidate major
  if [ -n "${JAVA_HOME:-}" ]; then
    major=$(xdsdp_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge "$wanted" ]; then
      export JAVA_HOME
      return 0
    fi
    echo "note: JAVA_HOME=$JAVA_HOME is not a JDK $wanted+ (found '${major:-no java}'); looking in /usr/lib/jvm" >&2
  fi
  for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    candidate=${candidate%/}
    [ -L "$candidate" ] && continue
    major=$(xdsdp_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge "$wanted" ]; then
      export JAVA_HOME="$candidate"
      return 0
    fi
  done
  cat >&2 <<MSG
error: no JDK $wanted or newer found.
  Looked at JAVA_HOME (${JAVA_HOME:-unset}) and /usr/lib/jvm/*.
  The data plane needs JDK $wanted: GraalWasm's optimizing runtime uses its JVMCI.
  Install one (e.g. Temurin $wanted) under /usr/lib/jvm, or set JAVA_HOME to it.
MSG
  return 1
}
