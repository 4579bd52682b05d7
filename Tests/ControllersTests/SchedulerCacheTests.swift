import Testing
@testable import Controllers
