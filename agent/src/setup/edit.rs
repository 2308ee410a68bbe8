//! The configuration file edited in place with `toml_edit`: the `[contract]` table set to new
//! values, everything else — the user's comments, other tables, key order, blank lines — kept
//! as it was.

use toml_edit::{value, Array, DocumentMut, Item, Table};

/// `text` with `[contract]` set to `mode`, `ej` and `egs`. A comment on a key that stays is
/// kept; keys of `[contract]` that are not ours are left alone (the configuration's own
/// validation refuses them afterwards, as it would have before).
pub fn set_contract(
    text: &str,
    mode: &str,
    ej: &str,
    egs: &[String],
) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = text.parse()?;
    if !doc.contains_table("contract") {
        let mut table = Table::new();
        table.set_implicit(false);
        doc.insert("contract", Item::Table(table));
    }
    let Some(contract) = doc["contract"].as_table_mut() else {
        // `contract = …` as a plain value: replace it by a table.
        doc.insert("contract", Item::Table(Table::new()));
        return set_contract(&doc.to_string(), mode, ej, egs);
    };
    set_keeping_decor(contract, "mode", value(mode));
    set_keeping_decor(contract, "ej", value(ej));
    let mut array = Array::new();
    for eg in egs {
        array.push(eg.as_str());
    }
    set_keeping_decor(contract, "egs", value(array));
    Ok(doc.to_string())
}

/// Sets `key` to `item`, keeping the comments around the key and the old value, if any.
fn set_keeping_decor(table: &mut Table, key: &str, mut item: Item) {
    let Some(existing) = table.get_mut(key) else {
        table.insert(key, item);
        return;
    };
    if let (Some(old), Some(new)) = (existing.as_value(), item.as_value_mut()) {
        if let Some(s) = old.decor().suffix().cloned() {
            new.decor_mut().set_suffix(s);
        }
        if let Some(p) = old.decor().prefix().cloned() {
            new.decor_mut().set_prefix(p);
        }
    }
    // Replacing the item in place keeps the key and its decor (the comment lines above it).
    *existing = item;
}

#[cfg(test)]
mod tests;
