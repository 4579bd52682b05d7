import Testing

@testable import Addons

@Suite struct AddonsErrorTests {
  @Test func describesItselfWithItsMessage() {
    let error = AddonsError(.malformedMessage, "DNS message shorter than its 12-byte header")
    #expect(String(describing: error) == "DNS message shorter than its 12-byte header")
    #expect(error.code == .malformedMessage)
  }
}
