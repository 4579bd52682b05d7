import Foundation
import SkiffTestSupport
import Testing

/// Decodes etcdctl's `-w json` output.
func json(_ text: String) throws -> [String: Any] {
  try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
