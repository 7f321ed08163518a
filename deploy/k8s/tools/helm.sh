#!/usr/bin/env bash
# Real Helm without a helm binary: lint and render deploy/k8s/portico with helm-java (Helm's Go code
# as a native library from Maven Central, see pom.xml here). Uses `helm` itself when installed.
#
# Usage: deploy/k8s/tools/helm.sh lint [--strict]
#        deploy/k8s/tools/helm.sh template [--namespace NS] [--kube-version V] [-f values.yaml]... [--set k=v]...
# Jars are fetched once into .local/helm-java (git-ignored). Needs java 17+ and mvn, or helm.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../local/lib.sh"

CHART="$PORTICO_ROOT/deploy/k8s/portico"
TOOLS="$PORTICO_ROOT/deploy/k8s/tools"
DIR="${HELM_JAVA_DIR:-$PORTICO_ROOT/.local/helm-java}"
LIBS="$DIR/libs"
cmd=${1:-}; shift || true
case "$cmd" in lint|template) ;; *) echo "usage: $0 lint [--strict] | template [helm template flags]" >&2; exit 2 ;; esac

if command -v helm >/dev/null && [ -z "${PORTICO_FORCE_HELM_JAVA:-}" ]; then
  if [ "$cmd" = lint ]; then exec helm lint "$CHART" "$@"; fi
  exec helm template portico "$CHART" "$@"
fi

fetch() {
  local want; want=$(sha256sum "$TOOLS/pom.xml" | cut -d' ' -f1)
  [ -f "$LIBS/.fetched" ] && [ "$(cat "$LIBS/.fetched")" = "$want" ] && return
  command -v mvn >/dev/null || die "neither helm nor mvn found: install one (Debian: maven) to lint/render the chart"
  mkdir -p "$DIR"
  rm -rf "$LIBS.tmp"
  mvn -B -q -Dstyle.color=never -f "$TOOLS/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$DIR/fetch.log" 2>&1 ||
    { tail -n 30 "$DIR/fetch.log" >&2; die "Maven could not fetch helm-java (output above)"; }
  rm -rf "$LIBS"; mv "$LIBS.tmp" "$LIBS"
  echo "$want" >"$LIBS/.fetched"
}

fetch
JAVA=java
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && JAVA="$JAVA_HOME/bin/java"
command -v "$JAVA" >/dev/null || die "java not found (JDK 17+ runs HelmRender.java as a single-file program)"
# KUBECONFIG=/dev/null: template and lint never talk to a cluster.
KUBECONFIG=/dev/null exec "$JAVA" -Xmx256m -Djna.tmpdir="$DIR/jna" -cp "$LIBS/*" "$TOOLS/HelmRender.java" "$cmd" "$CHART" "$@"
