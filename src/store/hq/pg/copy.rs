//! Rows encoded in PostgreSQL's binary COPY format, made apart from the connection (the
//! import encodes a batch on one thread while another sends the one before) and sent in
//! large pieces: the driver's row-by-row writer enters its runtime once per row.

use super::{db_error, problem};
use crate::error::{Error, HqDbProblem, Result};
use bytes::{BufMut, BytesMut};
use postgres::types::{IsNull, ToSql, Type};
use std::io::Write;

/// The binary COPY signature, then no flags and no header extension.
const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";
/// Sent to the server a piece at a time, so that it stores the first rows while the
/// rest arrive.
const PIECE: usize = 256 * 1024;

/// Rows of one COPY statement's columns, encoded.
pub(crate) struct CopyRows {
    types: Vec<Type>,
    data: BytesMut,
    rows: usize,
}

impl CopyRows {
    pub fn new(types: &[Type]) -> CopyRows {
        let mut data = BytesMut::with_capacity(64 * 1024);
        data.put_slice(HEADER);
        CopyRows {
            types: types.to_vec(),
            data,
            rows: 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// One row: each value as its column's type (their count the columns'). A row refused
    /// leaves nothing of itself behind.
    pub fn row(&mut self, values: &[&(dyn ToSql + Sync)]) -> Result<()> {
        let start = self.data.len();
        let encoded = self.encode(values);
        match encoded {
            Ok(()) => self.rows += 1,
            Err(_) => self.data.truncate(start),
        }
        encoded
    }

    fn encode(&mut self, values: &[&(dyn ToSql + Sync)]) -> Result<()> {
        if values.len() != self.types.len() {
            return Err(Error::internal("a COPY row of the wrong width"));
        }
        self.data.put_i16(self.types.len() as i16);
        for (value, ty) in values.iter().zip(&self.types) {
            let at = self.data.len();
            self.data.put_i32(0);
            let length = match value.to_sql_checked(ty, &mut self.data) {
                Ok(IsNull::Yes) => -1,
                Ok(IsNull::No) => i32::try_from(self.data.len() - at - 4)
                    .map_err(|_| Error::internal("a COPY value over 2 GiB"))?,
                Err(e) => return Err(Error::internal(e)),
            };
            self.data[at..at + 4].copy_from_slice(&length.to_be_bytes());
        }
        Ok(())
    }

    /// Sends the rows by `statement` (`COPY … FROM STDIN BINARY`) in the transaction; how
    /// many the server took.
    pub fn send(mut self, tx: &mut postgres::Transaction, statement: &str) -> Result<u64> {
        self.data.put_i16(-1);
        let mut sink = tx.copy_in(statement).map_err(db_error)?;
        for piece in self.data.chunks(PIECE) {
            sink.write_all(piece).map_err(sent_error)?;
        }
        sink.finish().map_err(db_error)
    }
}

/// A failed write of COPY data: what the server said, when it said something.
fn sent_error(e: std::io::Error) -> Error {
    match e
        .into_inner()
        .map(|inner| inner.downcast::<postgres::Error>())
    {
        Some(Ok(e)) => db_error(*e),
        _ => problem(HqDbProblem::Lost),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_encoded_as_postgres_reads_binary_copy() {
        let mut rows = CopyRows::new(&[Type::INT8, Type::TEXT]);
        assert!(rows.is_empty());
        let none: Option<&str> = None;
        rows.row(&[&7i64, &"BJ"]).unwrap();
        rows.row(&[&-1i64, &none]).unwrap();
        assert!(!rows.is_empty());
        let mut expected = HEADER.to_vec();
        expected.extend([
            0, 2, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2, b'B', b'J',
        ]);
        expected.extend([
            0, 2, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        expected.extend([0xff, 0xff, 0xff, 0xff]);
        assert_eq!(&rows.data[..], &expected[..]);
    }

    #[test]
    fn a_row_of_the_wrong_width_or_type_is_refused() {
        let mut rows = CopyRows::new(&[Type::INT8, Type::TEXT]);
        assert!(rows.row(&[&7i64]).is_err());
        assert!(rows.row(&[&"seven", &"BJ"]).is_err());
        assert!(rows.is_empty());
        assert_eq!(&rows.data[..], HEADER);
    }
}
