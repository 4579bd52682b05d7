# Sourced by measure-rss.sh and profile-order.sh: the requests both put to a server
# (20 pod lists, 5 ConfigMap applies, a YAML list of them), given its kubeconfig and a run tag.
rss_requests() {
  local kubeconfig=$1 run=$2 i
  for i in $(seq 1 "${NREQ:-20}"); do kubectl --kubeconfig "$kubeconfig" get pods -A >/dev/null 2>&1; done
  for i in 1 2 3 4 5; do
    kubectl --kubeconfig "$kubeconfig" apply -f - >/dev/null <<YAML
apiVersion: v1
kind: ConfigMap
metadata: {name: cm$i, namespace: default}
data: {k: "v$run"}
YAML
  done
  kubectl --kubeconfig "$kubeconfig" get configmaps -A -o yaml >/dev/null
}
