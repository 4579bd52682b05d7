import KubeAPI

@testable import KubeSchema

/// Test documents are written as JSON text and read with the module's small reader.
func json(_ text: String) throws -> JSONValue { try MiniJSON.parse(text) }
