//! Typing into fields: text with a cursor, several lines, secrets, choices, scales.
use super::*;

#[test]
fn text_fields_take_chinese_and_respect_their_limit() {
    let mut form = Form::new(vec![Field::text("f", 3)]);
    form.paste("王芳\n芳芳");
    assert_eq!(form.value(0), "王芳芳");
    assert!(form.dirty);
    form.edit(InputRequest::DeletePrevChar);
    assert_eq!(form.value(0), "王芳");
}

#[test]
fn secrets_append_and_clear() {
    let mut form = Form::new(vec![Field::secret("p")]);
    form.paste("abc");
    form.edit(InputRequest::DeletePrevChar);
    assert_eq!(form.value(0), "ab");
    form.clear_secrets();
    assert_eq!(form.value(0), "");
}

#[test]
fn choices_cycle_both_ways() {
    let mut form = Form::new(vec![Field::choice(
        "r",
        vec!["a".into(), "b".into(), "c".into()],
        0,
    )]);
    form.cycle(-1);
    assert_eq!(form.value(0), "c");
    form.cycle(1);
    form.cycle(1);
    assert_eq!(form.value(0), "b");
}

#[test]
fn several_line_fields_keep_their_lines() {
    let mut form = Form::new(vec![Field::lines("d", 12, 3)]);
    form.paste("第一行\n第二行");
    form.new_line();
    form.edit(InputRequest::InsertChar('x'));
    assert_eq!(form.value(0), "第一行\n第二行\nx");
    form.move_line(-1);
    form.edit(InputRequest::GoToEnd);
    form.edit(InputRequest::DeletePrevChar);
    assert_eq!(form.value(0), "第一行\n第二\nx");
    // The limit counts every character, newlines included.
    form.paste("一二三四五六七八九十");
    assert_eq!(form.value(0).chars().count(), 12);
    form.new_line();
    assert_eq!(form.value(0).chars().count(), 12);
    form.edit(InputRequest::DeleteLine);
    assert_eq!(form.value(0), "");
}

#[test]
fn digits_answer_and_move_on_in_a_quick_form() {
    let mut form = Form::new(vec![
        Field::scale("nps", 0, 10),
        Field::scale("rating", 1, 5),
        Field::choice_with_codes("wait", vec!["".into(), "short".into(), "long".into()], 0),
        Field::choice_with_codes("greeted", vec!["".into(), "yes".into(), "no".into()], 0),
        Field::multi(
            "improve",
            vec!["speed".into(), "fees".into(), "place".into()],
        ),
        Field::text("why", 100),
    ]);
    form.quick = true;
    // 1 may become 10: it waits; 0 completes it.
    form.edit(InputRequest::InsertChar('1'));
    assert_eq!((form.value(0), form.focus), ("1", 0));
    form.edit(InputRequest::InsertChar('0'));
    assert_eq!((form.value(0), form.focus), ("10", 1));
    // Out of the scale: ignored.
    form.edit(InputRequest::InsertChar('6'));
    assert_eq!((form.value(1), form.focus), ("", 1));
    form.edit(InputRequest::InsertChar('4'));
    assert_eq!((form.value(1), form.focus), ("4", 2));
    form.edit(InputRequest::InsertChar('2'));
    assert_eq!((form.value(2), form.focus), ("long", 3));
    form.edit(InputRequest::InsertChar('n'));
    assert_eq!((form.value(3), form.focus), ("no", 4));
    // Several choices toggle and stay.
    form.edit(InputRequest::InsertChar('1'));
    form.edit(InputRequest::InsertChar('3'));
    form.edit(InputRequest::InsertChar('1'));
    assert_eq!((form.value(4), form.focus), ("place", 4));
    form.edit(InputRequest::DeletePrevChar);
    assert_eq!(form.value(4), "");
    // Hidden fields are skipped both ways.
    form.fields[5].hidden = true;
    assert!(form.on_last_field());
    form.next();
    assert_eq!(form.focus, 0);
    form.prev();
    assert_eq!(form.focus, 4);
}

#[test]
fn focus_wraps() {
    let mut form = Form::new(vec![Field::text("a", 5), Field::text("b", 5)]);
    form.prev();
    assert_eq!(form.focus, 1);
    assert!(form.on_last_field());
    form.next();
    assert_eq!(form.focus, 0);
}
