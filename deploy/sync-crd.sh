#!/usr/bin/env bash
# The CRD's source of truth is crds/ at the repository root. The Helm chart (and kustomize, which
# may not read files outside deploy/) need a copy inside the chart; run this after changing it.
# DeployManifestsTest fails while the copy differs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/crds/ciliuml2announcementpolicies.cilium.io.yaml"
dst="$root/deploy/helm/l2-announcer/crds/ciliuml2announcementpolicies.cilium.io.yaml"
mkdir -p "$(dirname "$dst")"
cp "$src" "$dst"
echo "copied $src -> $dst"
