//! The outbox (frames waiting for [`poll_frame`](ClientSession::poll_frame), stored as
//! records of a tag and a length) and the transport actions.

use crate::EncodeError;
use crate::Vsn;
use crate::encode::WriteJson;
use crate::outgoing::OutgoingFrame;

use super::state::ClientSession;
use super::state::RECORD_HEADER;
use super::state::TAG_BINARY;
use super::state::TAG_TEXT;
use super::types::Outgoing;
use super::types::SessionError;
use super::types::TransportAction;
use crate::session::fixed::Buf;

impl<const CHANNELS: usize, const PUSHES: usize, const PAYLOAD: usize, const OUTBOX: usize>
    ClientSession<CHANNELS, PUSHES, PAYLOAD, OUTBOX>
{
    /// What the transport should do next (open a WebSocket, or close it with a code).
    pub fn poll_transport(&mut self) -> Option<TransportAction> {
        self.actions.pop_front()
    }

    /// Writes the next frame to send into `buf`. `Ok(None)` when there is none; when `buf` is
    /// too small the frame stays queued and the error says how long it is.
    ///
    /// Send frames in the order they come, on the transport that is open.
    pub fn poll_frame(&mut self, buf: &mut [u8]) -> Result<Option<Outgoing>, SessionError> {
        let Some((tag, len)) = self.peek_record() else {
            return Ok(None);
        };
        let body = self
            .outbox
            .get(RECORD_HEADER..RECORD_HEADER + len)
            .unwrap_or(&[]);
        let Some(dst) = buf.get_mut(..len) else {
            return Err(SessionError::BufferTooSmall { needed: len });
        };
        dst.copy_from_slice(body);
        self.pop_record(len);
        Ok(Some(if tag == TAG_BINARY {
            Outgoing::Binary(len)
        } else {
            Outgoing::Text(len)
        }))
    }

    /// The length of the next frame [`poll_frame`](Self::poll_frame) would write.
    pub fn next_frame_len(&self) -> Option<usize> {
        self.peek_record().map(|(_, len)| len)
    }

    pub(super) fn peek_record(&self) -> Option<(u8, usize)> {
        let header = self.outbox.get(..RECORD_HEADER)?;
        let tag = *header.first()?;
        let mut len_bytes = [0u8; 4];
        len_bytes.copy_from_slice(header.get(1..5)?);
        let len = usize::try_from(u32::from_le_bytes(len_bytes)).ok()?;
        Some((tag, len))
    }

    pub(super) fn pop_record(&mut self, len: usize) {
        let total = RECORD_HEADER + len;
        let remaining = self.outbox.len().saturating_sub(total);
        let len = self.outbox.len();
        self.outbox.copy_within(total.min(len).., 0);
        self.outbox.truncate(remaining);
    }

    pub(super) fn action(&mut self, action: TransportAction) {
        if self.actions.is_full() {
            let _ = self.actions.pop_front();
        }
        let _ = self.actions.push(action);
    }

    pub(super) fn enqueue_text<P: WriteJson>(&mut self, frame: &OutgoingFrame<'_, P>) {
        let dropped = write_text_record(&mut self.outbox, self.options.vsn, frame);
        self.dropped_frames = self.dropped_frames.saturating_add(dropped);
    }
}

pub(super) fn write_text_record<const N: usize, P: WriteJson>(
    outbox: &mut Buf<N>,
    vsn: Vsn,
    frame: &OutgoingFrame<'_, P>,
) -> u64 {
    let start = outbox.len();
    if outbox.extend_from_slice(&[TAG_TEXT, 0, 0, 0, 0]).is_err() {
        return 1;
    }
    let written = match vsn {
        Vsn::V2 => frame.encode_v2(outbox),
        Vsn::V1 => frame.encode_v1(outbox),
    };
    finish(outbox, start, written)
}

pub(super) fn finish<const N: usize>(
    outbox: &mut Buf<N>,
    start: usize,
    written: Result<usize, EncodeError>,
) -> u64 {
    if let Some(n) = written.ok().and_then(|n| u32::try_from(n).ok()) {
        if let Some(len) = outbox.get_mut(start + 1..start + RECORD_HEADER) {
            len.copy_from_slice(&n.to_le_bytes());
        }
        0
    } else {
        outbox.truncate(start);
        1
    }
}
