#!/usr/bin/env bash
# The container image's base, made from this machine's own Java 17 with no registry: a jlinked
# runtime holding the modules the node uses, the shared libraries that runtime links (found with
# ldd), a passwd entry for the unprivileged user and a writable /tmp, written as a docker-save tar
# that jib reads as tar://. Takes under a minute.
#
#   deploy/image/base-image.sh [OUT]      (default OUT: deploy/target/base-image/base.tar)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/base-image/base.tar}
java_home=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
jlink=$java_home/bin/jlink
[ -x "$jlink" ] || { echo "no jlink in $java_home (a JDK 17 is needed, not a JRE)" >&2; exit 1; }
version=$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 \
  | sed -n 's/^ *java.specification.version = //p')
[ "$version" = 17 ] || { echo "$java_home is Java $version, the node runs on 17" >&2; exit 1; }

# What jdeps --print-module-deps reports for courier.jar, plus what is loaded by name at run time:
# jdk.crypto.ec (TLS with EC keys, to Cassandra or between nodes) and jdk.naming.dns (DNS lookups
# through JNDI, as SRV-based discovery does).
modules=java.base,java.compiler,java.desktop,java.naming,java.net.http,java.rmi,java.scripting
modules=$modules,java.security.jgss,java.security.sasl,java.sql,jdk.jfr,jdk.management
modules=$modules,jdk.unsupported,jdk.crypto.ec,jdk.naming.dns
# java.desktop is there for java.beans; its graphics and sound libraries (X11, ALSA, fonts) are not
# loaded by a server and are left out with everything they link.
desktop_natives="libawt.so libawt_headless.so libawt_xawt.so libfontmanager.so libjavajpeg.so
  libjawt.so libjsound.so liblcms.so libmlib_image.so libsplashscreen.so"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/opt" "$(dirname "$out")"

"$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$root/opt/java"
for lib in $desktop_natives; do
  rm -f "$root/opt/java/lib/$lib"
done
# Debian's JDK keeps these as links into /etc: the image gets the files themselves.
for f in cacerts blocked.certs default.policy public_suffix_list.dat; do
  if [ -e "$java_home/lib/security/$f" ]; then
    cp -L "$java_home/lib/security/$f" "$root/opt/java/lib/security/$f"
  fi
done

# Every shared library the runtime's binaries and libraries link, at the path the loader found it.
{
  find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \) -print0 \
    | xargs -0 ldd 2>/dev/null | awk '/=> \// {print $3} /^\t\/.* \(/ {print $1}'
} | sort -u | while read -r lib; do
  case $lib in "$root"/*) continue ;; esac
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done

mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot"
chmod 1777 "$root/tmp"
chown 65532:65532 "$root/home/nonroot"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' \
  > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' > "$root/etc/hosts"

# One layer, reproducible (sorted names, fixed times), and the docker-save manifest around it.
image=$work/image
mkdir -p "$image"
tar --sort=name --mtime=@0 --numeric-owner -C "$root" -cf "$image/layer.tar" .
diff_id=sha256:$(sha256sum "$image/layer.tar" | cut -d' ' -f1)
arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
cat > "$image/config.json" <<JSON
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/bin:/bin","JAVA_HOME=/opt/java"],"User":"65532"},
 "rootfs":{"type":"layers","diff_ids":["$diff_id"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/image/base-image.sh"}]}
JSON
cat > "$image/manifest.json" <<JSON
[{"Config":"config.json","RepoTags":["courier-base:17"],"Layers":["layer.tar"]}]
JSON
tar --sort=name --mtime=@0 --numeric-owner -C "$image" -cf "$out" manifest.json config.json layer.tar
echo "$out: $(du -h "$out" | cut -f1), Java $version runtime in /opt/java"
