/// Turns `user[:group]` (numbers or names) into ids, reading the image's /etc/passwd and
/// /etc/group as containerd does: a name must exist in the image; a number need not.
struct UserResolver {
  struct Resolved: Equatable {
    var uid: UInt32
    var gid: UInt32
    var groups: [UInt32]
    var home: String?
  }

  struct PasswdEntry: Equatable {
    var name: String
    var uid: UInt32
    var gid: UInt32
    var home: String
  }

  struct GroupEntry: Equatable {
    var name: String
    var gid: UInt32
    var members: [String]
  }

  let passwd: [PasswdEntry]
  let groups: [GroupEntry]

  init(passwd: String?, group: String?) {
    self.passwd = Self.parsePasswd(passwd ?? "")
    self.groups = Self.parseGroup(group ?? "")
  }

  static func parsePasswd(_ text: String) -> [PasswdEntry] {
    text.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 6, !fields[0].hasPrefix("#"), let uid = UInt32(fields[2]), let gid = UInt32(fields[3])
      else { return nil }
      return PasswdEntry(name: fields[0], uid: uid, gid: gid, home: fields[5])
    }
  }

  static func parseGroup(_ text: String) -> [GroupEntry] {
    text.split(separator: "\n").compactMap { line in
      let fields = line.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
      guard fields.count >= 3, !fields[0].hasPrefix("#"), let gid = UInt32(fields[2]) else { return nil }
      let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
      return GroupEntry(name: fields[0], gid: gid, members: members)
    }
  }

  /// `spec` is e.g. "1000", "nobody", "1000:1000", "app:staff"; empty means root.
  func resolve(_ spec: String, group explicitGroup: String? = nil, supplemental: [UInt32] = []) throws -> Resolved {
    let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
    let userPart = parts.first ?? ""
    let groupPart = explicitGroup ?? (parts.count > 1 ? parts[1] : nil)
    var entry: PasswdEntry?
    let uid: UInt32
    if userPart.isEmpty {
      uid = 0
      entry = passwd.first { $0.uid == 0 }
    } else if let number = UInt32(userPart) {
      uid = number
      entry = passwd.first { $0.uid == number }
    } else {
      guard let found = passwd.first(where: { $0.name == userPart }) else {
        throw RuntimeError(.invalidArgument, "user \"\(userPart)\" is not in the image's /etc/passwd")
      }
      entry = found
      uid = found.uid
    }
    var gid = entry?.gid ?? 0
    if let groupPart, !groupPart.isEmpty {
      if let number = UInt32(groupPart) {
        gid = number
      } else if let found = groups.first(where: { $0.name == groupPart }) {
        gid = found.gid
      } else {
        throw RuntimeError(.invalidArgument, "group \"\(groupPart)\" is not in the image's /etc/group")
      }
    }
    var additional: [UInt32] = []
    if let name = entry?.name {
      additional = groups.filter { $0.members.contains(name) && $0.gid != gid }.map(\.gid)
    }
    for extra in supplemental where !additional.contains(extra) { additional.append(extra) }
    return Resolved(uid: uid, gid: gid, groups: additional, home: entry?.home)
  }
}
