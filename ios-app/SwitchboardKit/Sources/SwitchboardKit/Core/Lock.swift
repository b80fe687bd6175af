// A scoped lock: NSLocking.withLock needs iOS 17, the package supports iOS 16.
import Foundation

extension NSLock {
    /// Runs `body` holding the lock.
    func sync<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
