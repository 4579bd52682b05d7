import KubeAPI

// io.k8s.api.networking.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func networking(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.networking.v1.Ingress", kinds: [GVK(group: "networking.k8s.io", version: "v1", kind: "Ingress")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .networking("IngressSpec")),
          F("status", .networking("IngressStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressList",
        kinds: [GVK(group: "networking.k8s.io", version: "v1", kind: "IngressList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.networking("Ingress")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressClass",
        kinds: [GVK(group: "networking.k8s.io", version: "v1", kind: "IngressClass")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .networking("IngressClassSpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressClassList",
        kinds: [GVK(group: "networking.k8s.io", version: "v1", kind: "IngressClassList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.networking("IngressClass")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicy",
        kinds: [GVK(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicy")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .networking("NetworkPolicySpec")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicyList",
        kinds: [GVK(group: "networking.k8s.io", version: "v1", kind: "NetworkPolicyList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.networking("NetworkPolicy")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressSpec",
        [
          F("ingressClassName", .str),
          F("defaultBackend", .networking("IngressBackend")),
          F("tls", .list(.networking("IngressTLS"), .atomic)),
          F("rules", .list(.networking("IngressRule"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressStatus",
        [
          F("loadBalancer", .networking("IngressLoadBalancerStatus"))
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressClassSpec",
        [
          F("controller", .str),
          F("parameters", .networking("IngressClassParametersReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicySpec",
        [
          F("podSelector", .meta("LabelSelector"), req: true),
          F("ingress", .list(.networking("NetworkPolicyIngressRule"), .atomic)),
          F("egress", .list(.networking("NetworkPolicyEgressRule"), .atomic)),
          F("policyTypes", .list(.str, .atomic), enums: ["Egress", "Ingress"]),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressBackend",
        [
          F("service", .networking("IngressServiceBackend")),
          F("resource", .core("TypedLocalObjectReference")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressTLS",
        [
          F("hosts", .list(.str, .atomic)),
          F("secretName", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressRule",
        [
          F("host", .str),
          F("http", .networking("HTTPIngressRuleValue")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressLoadBalancerStatus",
        [
          F("ingress", .list(.networking("IngressLoadBalancerIngress"), .atomic))
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressClassParametersReference",
        [
          F("apiGroup", .str),
          F("kind", .str, req: true),
          F("name", .str, req: true),
          F("scope", .str),
          F("namespace", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicyIngressRule",
        [
          F("ports", .list(.networking("NetworkPolicyPort"), .atomic)),
          F("from", .list(.networking("NetworkPolicyPeer"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicyEgressRule",
        [
          F("ports", .list(.networking("NetworkPolicyPort"), .atomic)),
          F("to", .list(.networking("NetworkPolicyPeer"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressServiceBackend",
        [
          F("name", .str, req: true),
          F("port", .networking("ServiceBackendPort")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.HTTPIngressRuleValue",
        [
          F("paths", .list(.networking("HTTPIngressPath"), .atomic), req: true)
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressLoadBalancerIngress",
        [
          F("ip", .str),
          F("hostname", .str),
          F("ports", .list(.networking("IngressPortStatus"), .atomic)),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicyPort",
        [
          F("protocol", .str, enums: ["SCTP", "TCP", "UDP"]),
          F("port", .intOrString),
          F("endPort", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.NetworkPolicyPeer",
        [
          F("podSelector", .meta("LabelSelector")),
          F("namespaceSelector", .meta("LabelSelector")),
          F("ipBlock", .networking("IPBlock")),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.ServiceBackendPort", atomic: true,
        [
          F("name", .str),
          F("number", .i32),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.HTTPIngressPath",
        [
          F("path", .str),
          F("pathType", .str, req: true),
          F("backend", .networking("IngressBackend"), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IngressPortStatus",
        [
          F("port", .i32, req: true),
          F("protocol", .str, req: true, enums: ["SCTP", "TCP", "UDP"]),
          F("error", .str),
        ]))
    r.append(
      T(
        "io.k8s.api.networking.v1.IPBlock",
        [
          F("cidr", .str, req: true),
          F("except", .list(.str, .atomic)),
        ]))
  }
}
