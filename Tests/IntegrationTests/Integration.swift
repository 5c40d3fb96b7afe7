import Testing

/// Every integration suite nests in this one, so they run one at a time: each starts a whole
/// stack (a dozen processes), and two at once on a 2-core machine only make both slower and
/// their timing assumptions shakier. Unit-test targets still run alongside.
@Suite(.serialized) enum Integration {}
