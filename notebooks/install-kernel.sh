#!/usr/bin/env bash
# Installs the Jupyter kernel "sdspark-java": rapaio-jupyter-kernel (JShell) started with Spark's
# JVM flags and sdspark's runtime classpath, so notebook cells call sdspark's Java API directly.
#
#   notebooks/install-kernel.sh [KERNELS_DIR]     default: $(jupyter --data-dir)/kernels
#
# The kernel is tied to this checkout: its classpath is bin/sdspark's, fixed at install time. Rerun
# after a change to the poms (dependencies); a code change needs only `bin/sdspark --help`, which
# rebuilds. SDSPARK_JAVA_OPTS sets the kernel's JVM options (default -Xmx4g).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RJK_VERSION=3.0.1
RJK_JAR="$HOME/.m2/repository/io/github/padreati/rapaio-jupyter-kernel/$RJK_VERSION/rapaio-jupyter-kernel-$RJK_VERSION.jar"
KERNELS="${1:-$(jupyter --data-dir)/kernels}"
SPEC="$KERNELS/sdspark-java"

"$ROOT/bin/sdspark" --help >/dev/null   # builds on first use and caches the classpath
if [[ ! -f "$RJK_JAR" ]]; then
  mvn -q dependency:get -Dartifact="io.github.padreati:rapaio-jupyter-kernel:$RJK_VERSION"
fi

# The JVM flags are bin/sdspark's own (Spark's --add-opens list), read from it rather than copied.
mapfile -t FLAGS < <(sed -n '/^SPARK_OPENS=(/,/^)/{s/^ *//;/^-/p}' "$ROOT/bin/sdspark")
[[ ${#FLAGS[@]} -gt 0 ]] || { echo "install-kernel: no JVM flags found in bin/sdspark" >&2; exit 1; }

mkdir -p "$SPEC"
python3 - "$SPEC/kernel.json" "$RJK_JAR" "$ROOT" "${SDSPARK_JAVA_OPTS:--Xmx4g}" "${FLAGS[@]}" <<'PY'
import json, pathlib, sys
out, jar, root, java_opts, flags = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(), sys.argv[5:]
classpath = pathlib.Path(root, "spark-jobs/target/sdspark-launcher.classpath").read_text().strip()
spec = {
    "argv": ["java", *flags, *java_opts, "-Doffline=true", "-jar", jar, "{connection_file}"],
    "display_name": "Java (sdspark)",
    "language": "java",
    "interrupt_mode": "message",
    "env": {
        # rapaio separates classpath entries with ';'
        "RJK_CLASSPATH": classpath.replace(":", ";"),
        "RJK_COMPILER_OPTIONS": "",
        "RJK_INIT_SCRIPT": root + "/notebooks/kernel-init.jsh",
        "RJK_TIMEOUT_MILLIS": "-1",
        "DJL_CACHE_DIR": root + "/.djl-cache",
        "ENGINE_CACHE_DIR": root + "/.djl-cache",
        "SDSPARK_HOME": root,
    },
}
pathlib.Path(out).write_text(json.dumps(spec, indent=2) + "\n")
PY
echo "installed kernel sdspark-java in $SPEC"
