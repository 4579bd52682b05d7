import Testing

@testable import Controllers

@Suite struct JobIndexIntervalsTests {
  @Test func textFormMatchesUpstream() {
    #expect(IndexIntervals().adding([1, 3, 4, 5, 7]).description == "1,3-5,7")
    // Two neighbours are written as a list, not a range.
    #expect(IndexIntervals().adding([1, 2]).description == "1,2")
    #expect(IndexIntervals().adding([0, 1, 2]).description == "0-2")
    #expect(IndexIntervals().description == "")
  }

  @Test func parsingClipsToCompletionsAndSkipsGarbage() {
    #expect(IndexIntervals(parsing: "1,3-5,7", completions: 10).total == 5)
    #expect(IndexIntervals(parsing: "1,3-5,7", completions: 5).description == "1,3,4")
    #expect(IndexIntervals(parsing: "x,2-3", completions: 5).description == "2,3")
    #expect(IndexIntervals(parsing: "0,1,2", completions: 5).description == "0-2")
  }

  @Test func mergingAndMembership() {
    let a = IndexIntervals(parsing: "0-2,8", completions: 20)
    let b = IndexIntervals(parsing: "3,5-6,8-9", completions: 20)
    let merged = a.merging(b)
    #expect(merged.description == "0-3,5,6,8,9")
    #expect(merged.contains(6) && !merged.contains(4) && !merged.contains(10))
    #expect(a.intersection(b).description == "8")
    #expect(IndexIntervals(parsing: "0-9", completions: 20).intersection(b).total == 5)
  }
}
