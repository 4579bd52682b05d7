/// The release this binary was built from and the Kubernetes/etcd API versions it speaks.
public enum SkiffVersion {
  public static let skiff = "0.1.0"
  /// The etcd API version reported by Maintenance.Status; etcdctl 3.4 checks the major.minor.
  public static let etcdAPI = "3.4.0"
}
