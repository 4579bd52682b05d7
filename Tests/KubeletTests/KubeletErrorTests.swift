import Kubelet
import Testing

@Test func kubeletErrorDescribesItself() {
  let error = KubeletError(.notFound, "container \"web\" not found in pod default/nginx")
  #expect("\(error)" == "container \"web\" not found in pod default/nginx")
  #expect(error.code == .notFound)
}
