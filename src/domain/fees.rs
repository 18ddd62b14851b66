//! fees
