//! Ed25519 signing of ledger records (RFC 8032, ed25519-dalek). Deterministic, so every signature is byte-identical
//! to node:crypto's (OpenSSL) for the same key and message; the caller cross-checks that once per key before use.
//! A key is expanded once (SHA-512 of the seed, public point) and kept in Rust memory, zeroed on drop (dalek's
//! `zeroize`), so the caller can wipe its copy of the seed; no error message contains key or message bytes.
use ed25519_dalek::{Signer, SigningKey};
use napi::bindgen_prelude::{Buffer, Error, Result, Status};
use napi_derive::napi;

/// One Ed25519 private key, built from its 32-byte RFC 8032 secret (the "seed", JWK `d`).
#[napi(js_name = "Ed25519SigningKey")]
pub struct Ed25519SigningKey {
    key: SigningKey,
}

#[napi]
impl Ed25519SigningKey {
    #[napi(constructor)]
    pub fn new(seed: Buffer) -> Result<Self> {
        let bytes: &[u8] = &seed;
        let seed: &[u8; 32] = bytes
            .try_into()
            .map_err(|_| invalid(format!("seed: {} bytes, expected 32", bytes.len())))?;
        Ok(Self {
            key: SigningKey::from_bytes(seed),
        })
    }

    /// The 32-byte public key (so the caller can check it against the key it believes it holds).
    #[napi(js_name = "publicKey")]
    pub fn public_key(&self) -> Buffer {
        self.key.verifying_key().to_bytes().to_vec().into()
    }

    /// Signs `count` messages of `message_length` bytes each, stored back to back in `messages`. Returns count*64
    /// bytes: the signature of message i at [i*64, i*64+64).
    #[napi(js_name = "signBatch")]
    pub fn sign_batch(&self, messages: Buffer, message_length: u32, count: u32) -> Result<Buffer> {
        let msgs: &[u8] = &messages;
        let (mlen, n) = (message_length as usize, count as usize);
        let expected = mlen
            .checked_mul(n)
            .ok_or_else(|| invalid(format!("messages: {n} x {mlen} bytes overflows")))?;
        if msgs.len() != expected {
            return Err(invalid(format!(
                "messages: {} bytes, expected {expected} ({n} of {mlen} bytes)",
                msgs.len()
            )));
        }
        let mut out = vec![0u8; n * 64];
        for i in 0..n {
            out[i * 64..i * 64 + 64].copy_from_slice(&self.key.sign(&msgs[i * mlen..(i + 1) * mlen]).to_bytes());
        }
        Ok(out.into())
    }
}

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}
