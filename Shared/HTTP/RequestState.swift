/// Per-request state kept between libmicrohttpd's calls of the access handler for one request
/// (headers, body chunks, final call). Owned by the connection's `*con_cls` slot and only touched
/// from that connection's thread.
final class RequestState {
    let method: String
    let path: String
    let started = ContinuousClock.now
    private(set) var body: [UInt8] = []
    /// The body went over the limit: bytes are counted and dropped, 413 is answered at the end.
    private(set) var isTooLarge = false
    private(set) var discardedBytes = 0
    var answered = false

    init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    /// Appends one uploaded chunk unless that would pass `limit`.
    func receive(_ chunk: UnsafeRawBufferPointer, limit: Int) {
        if !isTooLarge, body.count + chunk.count <= limit {
            body.append(contentsOf: chunk)
            return
        }
        if !isTooLarge {
            isTooLarge = true
            discardedBytes = body.count
            body = []
        }
        discardedBytes += chunk.count
    }
}
