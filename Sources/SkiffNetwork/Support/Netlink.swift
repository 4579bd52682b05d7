import Glibc

/// rtnetlink constants from <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h> and
/// <linux/neighbour.h>, which the Glibc module does not export.
enum Netlink {
  static let request: UInt16 = 0x1
  static let multi: UInt16 = 0x2
  static let ack: UInt16 = 0x4
  static let dump: UInt16 = 0x300
  static let replace: UInt16 = 0x100
  static let exclusive: UInt16 = 0x200
  static let create: UInt16 = 0x400
  static let nestedFlag: UInt16 = 0x8000

  static let messageError: UInt16 = 2
  static let messageDone: UInt16 = 3

  static let newLink: UInt16 = 16
  static let deleteLink: UInt16 = 17
  static let getLink: UInt16 = 18
  static let setLink: UInt16 = 19
  static let newAddress: UInt16 = 20
  static let getAddress: UInt16 = 22
  static let newRoute: UInt16 = 24
  static let deleteRoute: UInt16 = 25
  static let getRoute: UInt16 = 26
  static let newNeighbour: UInt16 = 28
  static let deleteNeighbour: UInt16 = 29
  static let getNeighbour: UInt16 = 30

  static let afUnspec: UInt8 = 0
  static let afInet: UInt8 = 2
  static let afBridge: UInt8 = 7

  static let linkAddress: UInt16 = 1
  static let linkName: UInt16 = 3
  static let linkMTU: UInt16 = 4
  static let linkMaster: UInt16 = 10
  static let linkProtocolInfo: UInt16 = 12
  static let linkInfo: UInt16 = 18
  static let linkNamespaceFD: UInt16 = 28
  static let infoKind: UInt16 = 1
  static let infoData: UInt16 = 2
  static let vethPeer: UInt16 = 1
  static let bridgePortHairpin: UInt16 = 4
  static let vxlanID: UInt16 = 1
  static let vxlanLink: UInt16 = 3
  static let vxlanLocal: UInt16 = 4
  static let vxlanLearning: UInt16 = 7
  static let vxlanPort: UInt16 = 15

  static let addressAddress: UInt16 = 1
  static let addressLocal: UInt16 = 2
  static let addressBroadcast: UInt16 = 4

  static let routeDestination: UInt16 = 1
  static let routeOutput: UInt16 = 4
  static let routeGateway: UInt16 = 5
  static let routeTable: UInt16 = 15
  static let routeUnicast: UInt8 = 1
  static let tableMain: UInt8 = 254
  static let protocolBoot: UInt8 = 3
  static let scopeUniverse: UInt8 = 0
  static let scopeLink: UInt8 = 253
  static let flagOnLink: UInt32 = 4

  static let neighbourDestination: UInt16 = 1
  static let neighbourLinkAddress: UInt16 = 2
  static let stateReachable: UInt16 = 0x02
  static let statePermanent: UInt16 = 0x80
  static let flagSelf: UInt8 = 0x02

  static let interfaceUp: UInt32 = 0x1
}

/// A NETLINK_ROUTE socket bound to the network namespace of the thread that opened it: it
/// keeps talking to that namespace whichever thread uses it later.
final class NetlinkSocket {
  let fd: Int32
  private var sequence: UInt32 = 1

  init() throws(NetworkError) {
    fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw NetworkError(.kernel, "cannot open a netlink socket: \(Self.errorText(errno))") }
    var on: Int32 = 1
    // At SOL_NETLINK (270): NETLINK_EXT_ACK (11), the kernel says why a request failed, and
    // NETLINK_CAP_ACK (10), errors do not echo the request back.
    setsockopt(fd, 270, 11, &on, socklen_t(MemoryLayout<Int32>.size))
    setsockopt(fd, 270, 10, &on, socklen_t(MemoryLayout<Int32>.size))
  }

  deinit { close(fd) }

  static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }

  /// Sends `message` and waits for the kernel's acknowledgement; throws the errno it answered.
  func perform(_ message: NetlinkMessage, _ what: @autoclosure () -> String) throws(NetworkError) {
    var message = message
    message.flags |= Netlink.ack
    _ = try exchange(message, what)
  }

  /// Sends a single-object request (a get by name) and answers the reply payloads that came
  /// before the kernel's acknowledgement.
  func request(_ message: NetlinkMessage, _ what: @autoclosure () -> String) throws(NetworkError) -> [ArraySlice<UInt8>]
  {
    var message = message
    message.flags |= Netlink.ack
    return try exchange(message, what)
  }

  /// Sends a dump request and answers every reply message's payload (after the nlmsghdr).
  func dump(_ message: NetlinkMessage, _ what: @autoclosure () -> String) throws(NetworkError) -> [ArraySlice<UInt8>] {
    var message = message
    message.flags |= Netlink.dump
    return try exchange(message, what)
  }

  /// The errno of the last failed request, so callers can accept EEXIST or ENODEV.
  private(set) var lastErrno: Int32 = 0

  private func exchange(_ message: NetlinkMessage, _ what: () -> String) throws(NetworkError) -> [ArraySlice<UInt8>] {
    sequence &+= 1
    lastErrno = 0
    let bytes = message.encoded(sequence: sequence)
    let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
    guard sent == bytes.count else {
      lastErrno = errno
      throw NetworkError(.kernel, "\(what()): netlink send failed: \(Self.errorText(errno))")
    }
    var replies: [ArraySlice<UInt8>] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count < 0 {
        if errno == EINTR { continue }
        lastErrno = errno
        throw NetworkError(.kernel, "\(what()): netlink receive failed: \(Self.errorText(errno))")
      }
      var offset = 0
      while offset + 16 <= count {
        let length = Int(buffer.readLittle(UInt32.self, at: offset))
        let type = buffer.readLittle(UInt16.self, at: offset + 4)
        let replySequence = buffer.readLittle(UInt32.self, at: offset + 8)
        guard length >= 16, offset + length <= count else { break }
        defer { offset += (length + 3) & ~3 }
        guard replySequence == sequence else { continue }
        switch type {
        case Netlink.messageDone:
          return replies
        case Netlink.messageError:
          let code = -Int32(bitPattern: buffer.readLittle(UInt32.self, at: offset + 16))
          if code == 0 { return replies }
          lastErrno = code
          let detail = Self.extendedMessage(buffer[(offset + 16)..<(offset + length)])
          throw NetworkError(.kernel, "\(what()): \(Self.errorText(code))\(detail.map { " (\($0))" } ?? "")")
        default:
          replies.append(Array(buffer[(offset + 16)..<(offset + length)])[...])
        }
      }
    }
  }

  /// NLMSGERR_ATTR_MSG from an extended acknowledgement, when the kernel sent one.
  private static func extendedMessage(_ error: ArraySlice<UInt8>) -> String? {
    // struct nlmsgerr: error (4) + the request's nlmsghdr (16), capped; then the attributes.
    guard error.count > 20 else { return nil }
    return NetlinkAttributes(error[(error.startIndex + 20)...]).string(1)
  }
}
