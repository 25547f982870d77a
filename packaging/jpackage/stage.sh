# Shared by the build-*.sh scripts (sourced, not run): stages `mvn package` output for jpackage and links a
# small Java runtime. Each function takes the platform names of the machine it builds for, so a package carries
# only that platform's native libraries.

# The JDK modules the application needs. Derived with
#   jdeps --ignore-missing-deps --print-module-deps --multi-release 17 --class-path 'target/lib/*' \
#         target/sparsitybench-*.jar
# (java.base,java.compiler,java.sql,jdk.jfr,jdk.management,jdk.unsupported,jdk.unsupported.desktop) plus the
# modules JavaFX and the libraries reach by reflection or service lookup: java.desktop (javafx-swing, the chart
# library's AWT fonts), java.logging, java.naming, java.xml, java.management, java.scripting.
SB_MODULES=java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.scripting,java.sql,java.xml,jdk.jfr,jdk.management,jdk.unsupported,jdk.unsupported.desktop

# JVM options of both launchers: ND4J/JavaCPP reach into java.nio (the same as pom.xml's sb.jvm.opens); the
# heap may grow to half the machine's memory, for large checkpoints.
SB_JAVA_OPTIONS=(--java-options "--add-opens=java.base/java.nio=ALL-UNNAMED"
  --java-options "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"
  --java-options "--add-opens=java.base/java.lang=ALL-UNNAMED"
  --java-options "-XX:MaxRAMPercentage=50"
  --java-options '-Dsparsitybench.samples=$APPDIR/sample-models')

sb_die() {
  echo "error: $*" >&2
  exit 1
}

# sb_locate ROOT: sets SB_JAR (the application jar in ROOT/target), SB_VERSION (its numeric version, as the
# installers require) and SB_LIB (its dependencies, copied there by `mvn package`).
sb_locate() {
  local root=$1
  SB_JAR=$(ls "$root"/target/sparsitybench-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)
  SB_ROOT=$root
  SB_LIB="$root/target/lib"
  [ -n "$SB_JAR" ] && [ -d "$SB_LIB" ] || sb_die "$root/target: no built jar; run 'mvn -q -B package -DskipTests' first"
  SB_VERSION=$(basename "$SB_JAR" .jar)
  SB_VERSION=${SB_VERSION#sparsitybench-}
  SB_VERSION=${SB_VERSION%%-*}
}

# sb_strip_platforms JAR PREFIX KEEP: deletes from JAR every PREFIX/<platform>/ folder that holds a native
# library, except PREFIX/KEEP/.
sb_strip_platforms() {
  local jar=$1 prefix=$2 keep=$3 dirs=() d
  while IFS= read -r d; do
    [ "$d" = "$keep" ] || dirs+=("$prefix/$d/*")
  done < <(unzip -Z1 "$jar" | grep -E "^$prefix/[^/]+/.*\.(so|so\.[0-9.]+|dylib|jnilib|dll|pdb|a)$" \
             | cut -d/ -f"$(($(tr -cd / <<<"$prefix" | wc -c) + 2))" | sort -u)
  [ ${#dirs[@]} -eq 0 ] || zip -q -d "$jar" "${dirs[@]}" >/dev/null
}

# sb_stage_input INPUT ORT_PLATFORM JNA_PLATFORM: copies the application jar and its runtime dependencies into
# INPUT (one flat folder: jpackage puts every jar in it on the class path), keeping only the natives for the
# target: ONNX Runtime's jar carries all five platforms (93 MB) and JNA's eleven; OpenBLAS's carries C headers.
# The dependency set itself is already per-platform: pom.xml names ND4J's, OpenBLAS's and JavaCPP's classifier,
# and the JavaFX artifacts pick the build machine's.
sb_stage_input() {
  local input=$1 ort=$2 jna=$3 jar name
  command -v zip >/dev/null || sb_die "zip not found (Debian: apt-get install zip)"
  rm -rf "$input"
  mkdir -p "$input"
  cp "$SB_JAR" "$input/"
  for jar in "$SB_LIB"/*.jar; do
    name=$(basename "$jar")
    # javafx-controls-21.0.5.jar and friends are empty placeholders beside the platform jars.
    if [[ $name =~ ^javafx-[a-z]+-[0-9.]+\.jar$ ]]; then
      continue
    fi
    cp "$jar" "$input/"
    case "$name" in
      onnxruntime-*.jar) sb_strip_platforms "$input/$name" ai/onnxruntime/native "$ort" ;;
      jna-[0-9]*.jar) sb_strip_platforms "$input/$name" com/sun/jna "$jna" ;;
      openblas-*-*-*.jar)
        zip -q -d "$input/$name" 'org/bytedeco/openblas/*/include/*' 'org/bytedeco/openblas/*/lib/*' >/dev/null || true ;;
    esac
  done
  unzip -Z1 "$input"/onnxruntime-*.jar "ai/onnxruntime/native/$ort/*" >/dev/null 2>&1 \
    || sb_die "ONNX Runtime has no natives for $ort"
  # The bundled samples (models, cards, test sets: about 6 MB), so an installed window opens fashion-lenet5 and the
  # Samples menu works; the launchers point -Dsparsitybench.samples at them ($APPDIR is the app folder).
  mkdir -p "$input/sample-models"
  cp -R "$SB_ROOT/sample-models/." "$input/sample-models/"
}

# sb_runtime OUT: links the modules above into a runtime image without debug attributes, the java/keytool/...
# commands (the launchers load the JVM themselves), headers or man pages.
sb_runtime() {
  local out=$1
  rm -rf "$out"
  jlink --add-modules "$SB_MODULES" --output "$out" --strip-debug --strip-native-commands --no-header-files \
    --no-man-pages --compress=2
}
