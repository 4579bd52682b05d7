import Foundation
import KubeAPI

/// One column of a kind's table, as `kubectl get` prints it.
struct TableColumn: Sendable {
  var name: String
  var type: String = "string"
  var format: String = ""
  var description: String = ""
  /// 0 = always shown, 1 = only with `-o wide`.
  var priority: Int = 0
}

/// The columns of a kind and how to compute a row; NAME comes first in every table.
struct TableDefinition: Sendable {
  var columns: [TableColumn]
  var cells: @Sendable (JSONValue, Date) -> [JSONValue]

  static let nameAndAge = TableDefinition(columns: [TableColumn(name: "Age", format: "")]) { object, now in
    [.string(Age.since(object["metadata"]?["creationTimestamp"]?.stringValue, now: now))]
  }
}

/// Writes `meta.k8s.io/v1` Tables: what kubectl asks for with `as=Table`.
struct TableWriter: Sendable {
  enum IncludeObject: String, Sendable { case none = "None", metadata = "Metadata", object = "Object" }

  let definition: ResourceDefinition
  let includeObject: IncludeObject

  func table(for objects: [JSONValue], revision: String, continueToken: String? = nil, columns: Bool = true) -> [UInt8]
  {
    let table = definition.strategy.table
    let now = Date()
    var columnList: [JSONValue] = []
    if columns {
      columnList =
        [column(TableColumn(name: "Name", format: "name", description: "Name must be unique within a namespace."))]
        + table.columns.map(column)
    }
    let rows = objects.map { object -> JSONValue in
      var row: [String: JSONValue] = [
        "cells": .array([object["metadata"]?["name"] ?? .string("")] + table.cells(object, now))
      ]
      switch includeObject {
      case .none: break
      case .object: row["object"] = object
      case .metadata:
        var metadata = object["metadata"] ?? .object([:])
        metadata["managedFields"] = nil
        row["object"] = .object([
          "kind": .string("PartialObjectMetadata"), "apiVersion": .string("meta.k8s.io/v1"), "metadata": metadata,
        ])
      }
      return .object(row)
    }
    var metadata: [String: JSONValue] = ["resourceVersion": .string(revision)]
    if let continueToken { metadata["continue"] = .string(continueToken) }
    return JSONValue.object([
      "kind": .string("Table"), "apiVersion": .string("meta.k8s.io/v1"), "metadata": .object(metadata),
      "columnDefinitions": .array(columnList), "rows": .array(rows),
    ]).encoded()
  }

  private func column(_ column: TableColumn) -> JSONValue {
    .object([
      "name": .string(column.name), "type": .string(column.type), "format": .string(column.format),
      "description": .string(column.description), "priority": .int(Int64(column.priority)),
    ])
  }
}

/// upstream's human durations: 45s, 3m12s, 5h, 12d, 2y30d.
enum Age {
  static func since(_ timestamp: String?, now: Date) -> String {
    guard let timestamp, let date = Timestamp.parse(timestamp) else { return "<unknown>" }
    return human(now.timeIntervalSince(date))
  }

  static func human(_ interval: TimeInterval) -> String {
    let seconds = Int(interval)
    if seconds < 0 { return "0s" }
    if seconds < 120 { return "\(seconds)s" }
    let minutes = seconds / 60
    if minutes < 10 { return "\(minutes)m\(seconds % 60 == 0 ? "" : "\(seconds % 60)s")" }
    if minutes < 180 { return "\(minutes)m" }
    let hours = minutes / 60
    if hours < 8 { return "\(hours)h\(minutes % 60 == 0 ? "" : "\(minutes % 60)m")" }
    if hours < 48 { return "\(hours)h" }
    if hours < 24 * 8 { return "\(hours / 24)d\(hours % 24 == 0 ? "" : "\(hours % 24)h")" }
    if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
    let years = hours / 24 / 365
    if years < 8 { return "\(years)y\((hours / 24) % 365 == 0 ? "" : "\((hours / 24) % 365)d")" }
    return "\(years)y"
  }
}

/// Dates as metav1.Time writes and reads them, through KubeAPI's KubeTime.
enum Timestamp {
  static func format(_ date: Date) -> String {
    KubeTime(milliseconds: Int64((date.timeIntervalSince1970 * 1000).rounded(.down))).rfc3339
  }

  static func parse(_ text: String) -> Date? {
    guard let time = try? KubeTime(parsing: text) else { return nil }
    return Date(timeIntervalSince1970: Double(time.seconds) + Double(time.nanoseconds) / 1e9)
  }
}
