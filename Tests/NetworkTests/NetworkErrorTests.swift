import Testing

@testable import SkiffNetwork

@Suite struct NetworkErrorTests {
  @Test func describesItselfWithItsMessage() {
    let error = NetworkError(.addressesExhausted, "pod CIDR 10.42.0.0/24 has no free address")
    #expect(String(describing: error) == "pod CIDR 10.42.0.0/24 has no free address")
    #expect(error.code == .addressesExhausted)
  }
}
