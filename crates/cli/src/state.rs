//! Machine states as data: each machine's state as JSON, the list of machines a core has, and
//! what changed between two states. `replay --at`, `replay --diff` and the HTML report use it.
use serde::Serialize;
use serde_json::Value;
use switchboard_domain::{ActorName, Machines};

/// Every machine of a core, in display order: router, sessions by attempt, audio, ui.
pub fn actors(m: &Machines) -> Vec<ActorName> {
    let mut out = vec![ActorName::Router];
    out.extend(m.sessions.keys().map(|a| ActorName::Session(*a)));
    out.extend([ActorName::Audio, ActorName::Ui]);
    out
}

/// One machine's full state as JSON (a session that does not exist yet shows its initial state).
pub fn machine_json(m: &Machines, actor: ActorName) -> Value {
    let v = match actor {
        ActorName::Router => serde_json::to_value(&m.router),
        ActorName::Session(a) => match m.sessions.get(&a) {
            Some(s) => serde_json::to_value(s),
            None => serde_json::to_value(switchboard_domain::session::Session::default()),
        },
        ActorName::Audio => serde_json::to_value(&m.audio),
        ActorName::Ui => serde_json::to_value(&m.ui),
    };
    // Plain data types always serialize; a failure would be a bug in a derive.
    v.unwrap_or_else(|e| Value::String(format!("(cannot show: {e})")))
}

/// One field that changed.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Change {
    /// Dotted path of the field, e.g. `phase.InCall.reconnecting`.
    pub path: String,
    /// The value before (`null` when it did not exist).
    pub before: Value,
    /// The value after (`null` when it was removed).
    pub after: Value,
}

/// The fields that differ between two states, deepest first where both sides are objects.
pub fn diff(before: &Value, after: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff_into("", before, after, &mut out);
    out
}

fn diff_into(path: &str, before: &Value, after: &Value, out: &mut Vec<Change>) {
    if before == after {
        return;
    }
    // Two one-key objects with different keys are two variants of an enum: one change.
    let variant_change = matches!((before, after), (Value::Object(a), Value::Object(b))
        if a.len() == 1 && b.len() == 1 && a.keys().ne(b.keys()));
    if let (Value::Object(a), Value::Object(b), false) = (before, after, variant_change) {
        let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            let p = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            let none = Value::Null;
            diff_into(
                &p,
                a.get(k).unwrap_or(&none),
                b.get(k).unwrap_or(&none),
                out,
            );
        }
        return;
    }
    out.push(Change {
        path: if path.is_empty() {
            "(state)".to_owned()
        } else {
            path.to_owned()
        },
        before: before.clone(),
        after: after.clone(),
    });
}

/// A change as one line: `path: before -> after`.
pub fn change_text(c: &Change) -> String {
    format!(
        "{}: {} -> {}",
        c.path,
        compact(&c.before),
        compact(&c.after)
    )
}

/// Compact JSON, strings without quotes when they are plain words.
pub fn compact(v: &Value) -> String {
    match v {
        Value::String(s) if !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            s.clone()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn diff_names_the_deepest_changed_fields() {
        let a = json!({"phase": "Joining", "muted": false, "n": {"x": 1, "y": 2}});
        let b = json!({"phase": {"InCall": {"reconnecting": false}}, "muted": false, "n": {"x": 1, "y": 3, "z": 0}});
        let d: Vec<String> = diff(&a, &b).iter().map(change_text).collect();
        assert_eq!(
            d,
            [
                "n.y: 2 -> 3",
                "n.z: null -> 0",
                "phase: Joining -> {\"InCall\":{\"reconnecting\":false}}"
            ]
        );
        assert!(diff(&a, &a).is_empty());
        let v = diff(
            &json!({"r": {"in_call": {"x": 1}}}),
            &json!({"r": {"ended": {"y": 2}}}),
        );
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].path, "r");
    }
}
