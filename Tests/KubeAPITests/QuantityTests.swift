import Testing

@testable import KubeAPI

@Suite struct QuantityTests {
  /// Input and the string upstream's Quantity.String() gives for it.
  @Test(arguments: [
    ("0", "0"), ("100m", "100m"), ("1Gi", "1Gi"), ("1.5Gi", "1536Mi"), ("1.5", "1500m"), ("1e3", "1e3"),
    ("2k", "2k"), ("128974848", "128974848"), ("129e6", "129e6"), ("123Mi", "123Mi"), ("1000", "1k"),
    ("0.1", "100m"), ("1000m", "1"), ("1024Mi", "1Gi"), ("1Ki", "1Ki"), ("1024", "1024"), ("0.5Gi", "512Mi"),
    ("1.1Ki", "1126400m"), ("0.0000000001", "1n"), ("1n", "1n"), ("100u", "100u"), ("1000n", "1u"),
    ("1E", "1E"), ("1000E", "1e21"), ("-1", "-1"), ("-100m", "-100m"), ("12e6", "12e6"), ("1e-3", "1e-3"),
    ("1.5e3", "1500"), ("8Ei", "9223372036854775807"), ("500Mi", "500Mi"), ("0.5", "500m"), ("3000000", "3M"),
    ("1M", "1M"), ("100000000000000000000", "100E"), ("1.0", "1"), ("0.000001", "1u"), ("10Ki", "10Ki"),
    ("8Ki", "8Ki"), ("1536Ki", "1536Ki"), ("1048576Ki", "1Gi"), ("0.25Ki", "256"), ("-1.5Gi", "-1536Mi"),
    ("1.5m", "1500u"), ("1.0000000001", "1000000001n"), ("5e-10", "1e-9"),
  ])
  func canonicalForm(input: String, expected: String) throws {
    #expect(try Quantity(parsing: input).description == expected)
  }

  @Test(arguments: ["", "1.2.3", "abc", "1KiB", "1x", "1e3.5", "1Gb2", "1 Gi"])
  func malformedQuantities(input: String) {
    #expect(throws: Quantity.formatWrong) { try Quantity(parsing: input) }
  }

  @Test(arguments: ["1ki", "1e", "1K", "--1"])
  func unknownSuffixes(input: String) {
    #expect(throws: KubeAPIError.self) { try Quantity(parsing: input) }
  }

  @Test func suffixErrorMessages() {
    #expect(throws: Quantity.suffixError) { try Quantity(parsing: "1ki") }
    #expect(throws: Quantity.suffixError) { try Quantity(parsing: "1e") }
    #expect(
      Quantity.formatWrong.message
        == "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
  }

  @Test func valuesRoundAwayFromZero() throws {
    #expect(try Quantity(parsing: "1.5").milliValue == 1500)
    #expect(try Quantity(parsing: "100m").milliValue == 100)
    #expect(try Quantity(parsing: "1n").milliValue == 1)
    #expect(try Quantity(parsing: "1500m").value == 2)
    #expect(try Quantity(parsing: "-1500m").value == -2)
    #expect(try Quantity(parsing: "1Ki").value == 1024)
    #expect(try Quantity(parsing: "1Gi").value == 1_073_741_824)
    #expect(try Quantity(parsing: "2").milliValue == 2000)
    #expect(try Quantity(parsing: "1E").value == 1_000_000_000_000_000_000)
    #expect(try Quantity(parsing: "100E").value == Int64.max)
    #expect(try Quantity(parsing: "250m").scaledValue(-6) == 250_000)
  }

  @Test func comparesExactlyAcrossFormats() throws {
    #expect(try Quantity(parsing: "1000m") == Quantity(parsing: "1"))
    #expect(try Quantity(parsing: "1Ki") == Quantity(parsing: "1024"))
    #expect(try Quantity(parsing: "1Gi") > Quantity(parsing: "1G"))
    #expect(try Quantity(parsing: "100m") < Quantity(parsing: "0.2"))
    #expect(try Quantity(parsing: "-1") < Quantity(parsing: "0"))
    #expect(try Quantity(parsing: "1e21") > Quantity(parsing: "999E"))
    #expect(try Quantity(parsing: "1n") > Quantity(parsing: "0"))
    let set: Set<Quantity> = [try Quantity(parsing: "1"), try Quantity(parsing: "1000m"), try Quantity(parsing: "1e0")]
    #expect(set.count == 1)
  }

  @Test func arithmeticIsExact() throws {
    let sum = try Quantity(parsing: "100m") + Quantity(parsing: "1.9")
    #expect(sum.description == "2")
    #expect((try Quantity(parsing: "1Gi") - Quantity(parsing: "512Mi")).description == "512Mi")
    var total = Quantity.zero
    for _ in 0..<10 { total += try Quantity(parsing: "0.1") }
    #expect(total == Quantity(1))
    // A zero left side takes the other side's format, as upstream's Add does.
    #expect((Quantity.zero + (try Quantity(parsing: "2Gi"))).description == "2Gi")
    #expect((-(try Quantity(parsing: "1Ki"))).description == "-1Ki")
    #expect((try Quantity(parsing: "250m")).multiplied(by: 4) == Quantity(1))
  }

  @Test func constructors() {
    #expect(Quantity(milli: 1500).description == "1500m")
    #expect(Quantity(2048, format: .binarySI).description == "2Ki")
    #expect(Quantity(5, scale: 6).description == "5M")
    #expect(Quantity(100, format: .binarySI).description == "100")
  }

  @Test func jsonForms() throws {
    #expect(Quantity(json: "500Mi") == Quantity(500 * 1024 * 1024))
    #expect(Quantity(json: .int(3))?.description == "3")
    #expect(Quantity(json: .double(0.5))?.description == "500m")
    #expect(Quantity(json: .bool(true)) == nil)
    #expect(try Quantity(parsing: "1.5Gi").json == "1536Mi")
  }
}

@Suite struct QuantityLimitTests {
  @Test func hugeValuesCompareAndPrintWithoutTrapping() throws {
    let big = try Quantity(parsing: "9e38")
    let wide = try Quantity(parsing: "170000000000000000000000000000000000001")
    #expect(big > wide)
    #expect(wide < big)
    #expect(
      try Quantity(parsing: "12345678901234567890123456789012345678e1").description.hasPrefix("12345678901234567890"))
    #expect(throws: Quantity.numericError) { try Quantity(parsing: String(repeating: "9", count: 60)) }
  }
}
