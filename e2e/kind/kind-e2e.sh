#!/usr/bin/env bash
# kind end-to-end check for l2-announcer (needs Docker, kind, kubectl, helm; see README.md here).
#
#   1. creates a kind cluster (1 control plane + 2 workers),
#   2. builds the image from the repository's Dockerfile and loads it into the nodes,
#   3. installs the Helm chart (short leases: 3s / 1s / 200ms, as in Cilium's docs),
#   4. applies deploy/examples/l2-announcement-policy.yaml (workers only, ^eth[0-9]+) and a
#      LoadBalancer Service whose IP is a free address of the kind Docker network,
#   5. from a client container on the kind network, arpings the IP: every reply must come from the
#      MAC of the node that holds the Service's Lease, and from that MAC only,
#   6. pauses the holder's node container and checks that the other worker takes the Lease and
#      answers ARP within the lease bounds,
#   7. deletes everything it created (also on failure), unless L2A_KEEP=1.
#
# Environment (all optional):
#   L2A_CLUSTER=l2a-e2e          kind cluster name
#   L2A_IMAGE=l2-announcer:e2e   image tag to build and load
#   L2A_SKIP_BUILD=1             do not build; L2A_IMAGE must exist locally
#   L2A_VIP=172.18.255.200       IP to announce (default: derived from the kind network, see README)
#   L2A_NODE_IMAGE=kindest/node:vX.Y.Z   kind node image
#   L2A_KEEP=1                   keep the cluster for inspection
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT
readonly CLUSTER="${L2A_CLUSTER:-l2a-e2e}"
readonly IMAGE="${L2A_IMAGE:-l2-announcer:e2e}"
readonly NAMESPACE="kube-system"
readonly SERVICE="l2a-e2e"
readonly LEASE="cilium-l2announce-default-${SERVICE}"
readonly CLIENT_IMAGE="l2a-e2e-arping:local"
readonly CLIENT="${CLUSTER}-client"
KUBECONFIG_FILE="$(mktemp -t l2a-kind-kubeconfig.XXXXXX)"
readonly KUBECONFIG_FILE
# Leases as in Cilium's fast-failover example: failover between 2 s and 4 s.
readonly LEASE_DURATION_S=3
PAUSED_NODE=""

log() { printf '[kind-e2e] %s\n' "$*"; }
die() { printf '[kind-e2e] FAIL: %s\n' "$*" >&2; exit 1; }

kc() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

cleanup() {
  local rc=$?
  set +e
  if [[ -n "$PAUSED_NODE" ]]; then docker unpause "$PAUSED_NODE" >/dev/null 2>&1; fi
  docker rm -f "$CLIENT" >/dev/null 2>&1
  if [[ "${L2A_KEEP:-0}" == "1" ]]; then
    log "L2A_KEEP=1: keeping cluster ${CLUSTER} (kubeconfig: ${KUBECONFIG_FILE}); delete with: kind delete cluster --name ${CLUSTER}"
  else
    kind delete cluster --name "$CLUSTER" >/dev/null 2>&1
    rm -f "$KUBECONFIG_FILE"
  fi
  if [[ $rc -eq 0 ]]; then log "PASS"; else log "FAILED (exit ${rc})"; fi
  exit "$rc"
}

require_tools() {
  local tool
  for tool in docker kind kubectl helm; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool not found in PATH"
  done
  docker info >/dev/null 2>&1 || die "cannot talk to the Docker engine (docker info failed)"
}

# --- IPv4 arithmetic for picking a VIP inside the kind network ----------------------------------
ip_to_int() {
  local a b c d
  IFS=. read -r a b c d <<<"$1"
  echo $(( (a << 24) | (b << 16) | (c << 8) | d ))
}
int_to_ip() {
  local n=$1
  echo "$(( (n >> 24) & 255 )).$(( (n >> 16) & 255 )).$(( (n >> 8) & 255 )).$(( n & 255 ))"
}

# Docker hands out kind addresses from the bottom of the subnet; an address 55 below the top of
# the subnet (172.18.255.200 in the usual 172.18.0.0/16) is free in practice. Checked below.
pick_vip() {
  if [[ -n "${L2A_VIP:-}" ]]; then echo "$L2A_VIP"; return; fi
  local subnet net prefix size base
  subnet="$(docker network inspect kind --format '{{range .IPAM.Config}}{{.Subnet}} {{end}}' \
            | tr ' ' '\n' | grep -E '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$' | head -n1)"
  [[ -n "$subnet" ]] || die "the kind Docker network has no IPv4 subnet; set L2A_VIP"
  net="${subnet%/*}"
  prefix="${subnet#*/}"
  (( prefix <= 24 )) || die "kind subnet ${subnet} is smaller than a /24; set L2A_VIP"
  size=$(( 1 << (32 - prefix) ))
  base=$(( $(ip_to_int "$net") & ~(size - 1) & 0xFFFFFFFF ))
  int_to_ip $(( base + size - 56 ))
}

assert_vip_unused() {
  local vip=$1
  if docker network inspect kind --format '{{range .Containers}}{{.IPv4Address}} {{end}}' \
       | tr ' ' '\n' | cut -d/ -f1 | grep -qx "$vip"; then
    die "VIP ${vip} is already used by a container on the kind network; set L2A_VIP"
  fi
}

node_mac() {
  docker inspect --format '{{(index .NetworkSettings.Networks "kind").MacAddress}}' "$1" | tr 'A-F' 'a-f'
}

lease_holder() {
  kc -n "$NAMESPACE" get lease "$LEASE" -o jsonpath='{.spec.holderIdentity}' 2>/dev/null || true
}

# Waits (bounded) until the lease has a holder other than $1 ("" = any holder); prints it.
wait_for_holder_other_than() {
  local previous=$1 timeout_s=$2 start holder
  start=$SECONDS
  while (( SECONDS - start < timeout_s )); do
    holder="$(lease_holder)"
    if [[ -n "$holder" && "$holder" != "$previous" ]]; then echo "$holder"; return 0; fi
    sleep 1
  done
  return 1
}

# Sends $2 ARP requests for $1 from the client container; prints the distinct replying MACs.
arp_macs() {
  local vip=$1 count=$2
  docker exec "$CLIENT" arping -c "$count" -w $(( count + 3 )) -i eth0 "$vip" 2>/dev/null \
    | grep -oiE '([0-9a-f]{2}:){5}[0-9a-f]{2}' | tr 'A-F' 'a-f' | sort -u || true
}

# Arpings until replies come from exactly $2 (bounded); fails on any other or additional MAC.
expect_arp_from() {
  local vip=$1 want=$2 timeout_s=$3 start macs
  start=$SECONDS
  while (( SECONDS - start < timeout_s )); do
    macs="$(arp_macs "$vip" 3)"
    if [[ "$macs" == "$want" ]]; then
      log "ARP ${vip} answered by ${want} only ($(( SECONDS - start ))s)"
      return 0
    fi
    # Two MACs answering one IP is the failure this agent exists to prevent: never tolerated.
    if (( $(grep -c . <<<"$macs") > 1 )); then
      die "ARP ${vip} answered by several MACs at once: $(tr '\n' ' ' <<<"$macs")"
    fi
    # One wrong MAC: the lease may not have moved yet; keep asking within the bound.
    if [[ -n "$macs" ]]; then log "ARP ${vip} answered by ${macs}, want ${want}"; fi
  done
  die "ARP for ${vip}: no answers from exactly ${want} within ${timeout_s}s"
}

main() {
  require_tools
  trap cleanup EXIT

  log "creating kind cluster ${CLUSTER} (1 control plane, 2 workers)"
  local node_image_args=()
  if [[ -n "${L2A_NODE_IMAGE:-}" ]]; then node_image_args=(--image "$L2A_NODE_IMAGE"); fi
  kind create cluster --name "$CLUSTER" --kubeconfig "$KUBECONFIG_FILE" "${node_image_args[@]}" \
    --wait 180s --config - <<'KIND'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
  - role: worker
  - role: worker
KIND

  if [[ "${L2A_SKIP_BUILD:-0}" != "1" ]]; then
    log "building ${IMAGE}"
    docker build -t "$IMAGE" "$REPO_ROOT"
  fi
  kind load docker-image "$IMAGE" --name "$CLUSTER"

  local chart="$REPO_ROOT/deploy/helm/l2-announcer"
  [[ -f "$chart/crds/ciliuml2announcementpolicies.cilium.io.yaml" ]] \
    || die "the chart has no CRD copy: run deploy/sync-crd.sh"
  log "installing the Helm chart into ${NAMESPACE}"
  helm --kubeconfig "$KUBECONFIG_FILE" install l2-announcer "$chart" --namespace "$NAMESPACE" \
    --set image.repository="${IMAGE%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=Never \
    --set l2announcements.leaseDuration="${LEASE_DURATION_S}s" \
    --set l2announcements.leaseRenewDeadline=1s \
    --set l2announcements.leaseRetryPeriod=200ms \
    --wait --timeout 5m
  kc -n "$NAMESPACE" rollout status ds/l2-announcer --timeout=180s

  local vip
  vip="$(pick_vip)"
  assert_vip_unused "$vip"
  log "announcing ${vip} (kind network)"

  kc apply -f "$REPO_ROOT/deploy/examples/l2-announcement-policy.yaml"
  kc apply -f - <<SVC
apiVersion: v1
kind: Service
metadata:
  name: ${SERVICE}
  namespace: default
  labels:
    color: blue
spec:
  type: LoadBalancer
  loadBalancerIP: ${vip}
  externalTrafficPolicy: Cluster
  selector:
    app: ${SERVICE}
  ports:
    - name: http
      protocol: TCP
      port: 80
SVC
  # kind has no load-balancer IPAM: set the ingress IP ourselves (nothing else writes it here).
  kc -n default patch service "$SERVICE" --subresource=status --type=merge \
    -p "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"${vip}\"}]}}}"

  local holder
  holder="$(wait_for_holder_other_than "" 120)" || die "no node took lease ${NAMESPACE}/${LEASE} within 120s"
  log "lease ${LEASE} held by ${holder}"
  [[ "$holder" != "${CLUSTER}-control-plane" ]] || die "the control plane holds the lease despite the policy's nodeSelector"

  log "starting an arping client on the kind network"
  docker build -q -t "$CLIENT_IMAGE" - >/dev/null <<'CLIENTIMG'
FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends arping \
 && rm -rf /var/lib/apt/lists/*
CLIENTIMG
  docker run -d --rm --name "$CLIENT" --network kind --cap-add NET_RAW "$CLIENT_IMAGE" sleep 600 >/dev/null

  expect_arp_from "$vip" "$(node_mac "$holder")" 30

  log "pausing ${holder} (node failure)"
  docker pause "$holder" >/dev/null
  PAUSED_NODE="$holder"
  local start=$SECONDS new_holder
  # Failover bound: lease duration + renew deadline, plus slack for the API server and client.
  new_holder="$(wait_for_holder_other_than "$holder" $(( LEASE_DURATION_S + 1 + 20 )))" \
    || die "lease did not move away from the paused ${holder}"
  log "lease moved to ${new_holder} after $(( SECONDS - start ))s"
  expect_arp_from "$vip" "$(node_mac "$new_holder")" 20
  docker unpause "$holder" >/dev/null
  PAUSED_NODE=""
}

main "$@"
