import KubeAPI

// io.k8s.api.certificates.v1: field names, types and merge semantics as Kubernetes v1.32 serves them.
extension BuiltInTypes {
  static func certificates(_ r: inout [TypeDescription]) {
    r.append(
      T(
        "io.k8s.api.certificates.v1.CertificateSigningRequest",
        kinds: [GVK(group: "certificates.k8s.io", version: "v1", kind: "CertificateSigningRequest")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ObjectMeta")),
          F("spec", .certificates("CertificateSigningRequestSpec"), req: true),
          F("status", .certificates("CertificateSigningRequestStatus")),
        ]))
    r.append(
      T(
        "io.k8s.api.certificates.v1.CertificateSigningRequestList",
        kinds: [GVK(group: "certificates.k8s.io", version: "v1", kind: "CertificateSigningRequestList")],
        [
          F("kind", .str),
          F("apiVersion", .str),
          F("metadata", .meta("ListMeta")),
          F("items", .list(.certificates("CertificateSigningRequest")), req: true),
        ]))
    r.append(
      T(
        "io.k8s.api.certificates.v1.CertificateSigningRequestSpec",
        [
          F("request", .bytes, req: true),
          F("signerName", .str, req: true),
          F("expirationSeconds", .i32),
          F(
            "usages", .list(.str, .atomic),
            enums: [
              "any", "cert sign", "client auth", "code signing", "content commitment", "crl sign", "data encipherment",
              "decipher only", "digital signature", "email protection", "encipher only", "ipsec end system",
              "ipsec tunnel", "ipsec user", "key agreement", "key encipherment", "microsoft sgc", "netscape sgc",
              "ocsp signing", "s/mime", "server auth", "signing", "timestamping",
            ]),
          F("username", .str),
          F("uid", .str),
          F("groups", .list(.str, .atomic)),
          F("extra", .dict(.list(.str))),
        ]))
    r.append(
      T(
        "io.k8s.api.certificates.v1.CertificateSigningRequestStatus",
        [
          F("conditions", .list(.certificates("CertificateSigningRequestCondition"), .map("type"))),
          F("certificate", .bytes),
        ]))
    r.append(
      T(
        "io.k8s.api.certificates.v1.CertificateSigningRequestCondition",
        [
          F("type", .str, req: true),
          F("status", .str, req: true),
          F("reason", .str),
          F("message", .str),
          F("lastUpdateTime", .time),
          F("lastTransitionTime", .time),
        ]))
  }
}
