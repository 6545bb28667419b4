#!/usr/bin/env bash
# The container image with no registry and no Docker daemon: the base from base-image.sh (a
# jlinked Java 17 of this machine), then jib:buildTar on it, writing deploy/target/jib-image.tar.
# Extra arguments go to Maven (e.g. -Dcourier.image.base=eclipse-temurin:17-jre to use a
# registry's base instead).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -s deploy/target/base-image/base.tar ]; then
  deploy/image/base-image.sh deploy/target/base-image/base.tar
fi
# Offline once the jib plugin is in the local repository; the first build fetches it.
offline=
if [ -d "$HOME/.m2/repository/com/google/cloud/tools/jib-maven-plugin" ]; then
  offline=-o
fi
mvn -B -q $offline -Pimage -pl deploy -am -DskipTests -Djib.disableUpdateChecks=true package "$@"
ls -l deploy/target/jib-image.tar
