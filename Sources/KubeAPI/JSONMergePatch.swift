/// RFC 7386 JSON Merge Patch as Kubernetes applies it (evanphx/json-patch v4): objects merge
/// recursively, `null` deletes, anything else replaces; nulls inside newly added objects are dropped.
public enum JSONMergePatch {
  /// Applies `patch` to `document`.
  public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
    guard case .object(let patchMembers) = patch else { return patch.prunedNulls() }
    var result = document.objectValue != nil ? document : .object([:])
    result.withObjectMembers { members in
      for (key, value) in patchMembers {
        if value.isNull {
          members[key] = nil
        } else if let current = members.removeValue(forKey: key), current.objectValue != nil {
          members[key] = value.objectValue != nil ? apply(value, to: current) : value
        } else {
          members[key] = value.prunedNulls()
        }
      }
    }
    return result
  }

  /// Parses and applies patch bytes (`application/merge-patch+json`); a patch that is not an
  /// object or array is refused with upstream's `Invalid JSON Patch`.
  public static func apply(patchBytes: [UInt8], to document: JSONValue) throws(KubeAPIError) -> JSONValue {
    let patch: JSONValue
    do {
      patch = try JSONValue.parse(patchBytes)
    } catch {
      throw KubeAPIError(.patch, "Invalid JSON Patch")
    }
    guard patch.objectValue != nil || patch.arrayValue != nil else { throw KubeAPIError(.patch, "Invalid JSON Patch") }
    return apply(patch, to: document)
  }

  /// The merge patch that turns `original` into `modified` (keys removed become `null`).
  public static func create(from original: JSONValue, to modified: JSONValue) -> JSONValue {
    guard case .object(let old) = original, case .object(let new) = modified else { return modified }
    var patch: [String: JSONValue] = [:]
    for (key, newValue) in new {
      guard let oldValue = old[key] else {
        patch[key] = newValue
        continue
      }
      if oldValue.semanticallyEquals(newValue) { continue }
      if oldValue.objectValue != nil && newValue.objectValue != nil {
        let nested = create(from: oldValue, to: newValue)
        if nested != .object([:]) { patch[key] = nested }
      } else {
        patch[key] = newValue
      }
    }
    for key in old.keys where new[key] == nil { patch[key] = .null }
    return .object(patch)
  }
}

extension JSONValue {
  /// Removes null members of objects at any depth (array elements that are null are kept).
  func prunedNulls() -> JSONValue {
    switch self {
    case .object(let members):
      return .object(members.compactMapValues { $0.isNull ? nil : $0.prunedNulls() })
    case .array(let items):
      return .array(items.map { $0.prunedNulls() })
    default:
      return self
    }
  }
}
