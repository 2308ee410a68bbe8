use super::*;

fn all(chunks: &[&[u8]]) -> Vec<SseMessage> {
    let mut parser = SseParser::new();
    chunks
        .iter()
        .flat_map(|c| parser.feed(c).unwrap())
        .collect()
}

#[test]
fn messages_are_cut_at_blank_lines_whatever_the_chunks() {
    let body = b": keep-alive\n\nevent: snapshot\nid: 7\ndata: {\"a\":\ndata: 1}\n\n\
                 event: card_removed\r\nid: 8\r\ndata: {}\r\n\r\n";
    let whole = all(&[body]);
    assert_eq!(
        whole,
        vec![
            SseMessage {
                event: "snapshot".into(),
                id: Some("7".into()),
                data: "{\"a\":\n1}".into()
            },
            SseMessage {
                event: "card_removed".into(),
                id: Some("8".into()),
                data: "{}".into()
            },
        ]
    );
    // Byte by byte, \r and \n split across chunks: the same messages.
    let bytes: Vec<&[u8]> = body.chunks(1).collect();
    assert_eq!(all(&bytes), whole);
}

#[test]
fn a_message_without_data_or_event_name_follows_the_specification() {
    let got = all(&[b"event: lonely\n\ndata: x\n\n"]);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].event, "message");
    assert_eq!(got[0].data, "x");
}

#[test]
fn an_endless_line_is_refused() {
    let mut parser = SseParser::new();
    let chunk = vec![b'a'; 64 * 1024];
    let mut result = Ok(Vec::new());
    for _ in 0..=(MAX_LINE / chunk.len()) {
        result = parser.feed(&chunk);
        if result.is_err() {
            break;
        }
    }
    assert_eq!(result, Err(SseError::LineTooLong));
}
