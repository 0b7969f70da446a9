import Synchronization

extension SyncProgress {
    /// A progress bar fed from a sync's progress reports (`SyncEngine.run(progress:)`), which arrive from the
    /// sync's task: one line redrawn in place, a new one when the sync moves from pushing to pulling.
    public final class Line: Sendable {
        private let state = Mutex<(phase: Phase?, bar: ProgressBar?)>((nil, nil))
        private let write: (@Sendable (String) -> Void)?

        /// A line written with `write` (by default standard error).
        public init(write: (@Sendable (String) -> Void)? = nil) {
            self.write = write
        }

        /// Redraws the line for `progress` (throttled by `ProgressBar`).
        public func update(_ progress: SyncProgress) {
            state.withLock { state in
                if state.phase != progress.phase {
                    state.bar?.finish()
                    state.phase = progress.phase
                    state.bar = ProgressBar(
                        label: progress.phase == .pushing ? "Sending" : "Receiving", total: progress.total,
                        unit: progress.phase == .pushing ? "changes" : "records", write: write)
                }
                state.bar?.total = progress.total
                state.bar?.update(done: progress.done)
            }
        }

        /// Draws the last state and ends the line (nothing when no progress came).
        public func finish() {
            state.withLock { state in
                state.bar?.finish()
                state.bar = nil
                state.phase = nil
            }
        }
    }
}
