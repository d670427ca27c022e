//! Ed25519 for the audit ledger, as a Node-API addon: signing of records (`Ed25519SigningKey`, in
//! sign.rs) and verification of their signatures for `proctor verify` (`verifyBatch`, below).
//!
//! Verification contract (see docs/auditing.md, "Speed"): a result byte of 1 means the signature is valid under
//! exactly the rules node:crypto (OpenSSL) applies, so the caller may accept it without asking node:crypto; any other
//! byte means "not accepted here" and the caller MUST decide with node:crypto. Accept is therefore never wider than OpenSSL:
//! - S must be canonical (< L), as in OpenSSL;
//! - the public key must decode AND re-encode to the same 32 bytes (canonical encoding); otherwise 2 (undecided:
//!   OpenSSL's and dalek's decoders may differ on non-canonical encodings, so we do not decide);
//! - verification is cofactorless: R' = [S]B - [H(R||A||M)]A is computed and its canonical encoding compared byte
//!   for byte with R (ed25519-dalek `verify`, the same equation and comparison as OpenSSL's ossl_ed25519_verify).
//! No randomised batch equation is used: ed25519-dalek's `verify_batch` is cofactorless over decompressed R, so an R
//! with a small-order component can pass it with probability up to 1/2 (and its coefficients are derived from the
//! inputs), which OpenSSL always rejects; excluding such R costs a full scalar multiplication per signature, more
//! than the single verification itself (measured, docs/performance.md).
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use napi::bindgen_prelude::{Buffer, Error, Result, Status};
use napi_derive::napi;

mod sign;

/// Verifies n signatures. `public_keys` is n*32 bytes, `messages` is n*message_len bytes (every message has the same
/// length), `signatures` is n*64 bytes. Returns n bytes: 1 valid, 0 invalid, 2 undecided (caller checks it).
#[napi(js_name = "verifyBatch")]
pub fn verify_batch(public_keys: Buffer, messages: Buffer, message_len: u32, signatures: Buffer) -> Result<Buffer> {
    let keys: &[u8] = &public_keys;
    let msgs: &[u8] = &messages;
    let sigs: &[u8] = &signatures;
    let mlen = message_len as usize;
    if keys.len() % 32 != 0 {
        return Err(Error::new(
            Status::InvalidArg,
            format!("public keys: {} bytes is not a multiple of 32", keys.len()),
        ));
    }
    let n = keys.len() / 32;
    if sigs.len() != n * 64 {
        return Err(Error::new(
            Status::InvalidArg,
            format!("signatures: {} bytes, expected {} (64 per key)", sigs.len(), n * 64),
        ));
    }
    if msgs.len() != n * mlen {
        return Err(Error::new(
            Status::InvalidArg,
            format!(
                "messages: {} bytes, expected {} ({} per key)",
                msgs.len(),
                n * mlen,
                mlen
            ),
        ));
    }
    let mut out = vec![0u8; n];
    // Keys repeat (one per chain epoch): decode each distinct one once per call.
    let mut last: Option<([u8; 32], Option<VerifyingKey>)> = None;
    for i in 0..n {
        let kb: [u8; 32] = keys[i * 32..i * 32 + 32].try_into().expect("32 bytes");
        let key = match &last {
            Some((b, k)) if *b == kb => *k,
            _ => {
                let k = canonical_key(&kb);
                last = Some((kb, k));
                k
            }
        };
        let Some(key) = key else {
            out[i] = 2;
            continue;
        };
        let sb: [u8; 64] = sigs[i * 64..i * 64 + 64].try_into().expect("64 bytes");
        let sig = Signature::from_bytes(&sb);
        out[i] = match key.verify(&msgs[i * mlen..(i + 1) * mlen], &sig) {
            Ok(()) => 1,
            Err(_) => 0,
        };
    }
    Ok(out.into())
}

/// The key when its 32 bytes are the canonical encoding of a curve point, else None.
fn canonical_key(bytes: &[u8; 32]) -> Option<VerifyingKey> {
    let point = CompressedEdwardsY(*bytes).decompress()?;
    if point.compress().as_bytes() != bytes {
        return None;
    }
    VerifyingKey::from_bytes(bytes).ok()
}
