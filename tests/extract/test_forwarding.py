"""Forwarding rule files read as their languages have them (extract/forwarding.py)."""
from __future__ import annotations

from pdscan.extract.forwarding import dot_forward, procmail, sieve, thunderbird_filters


def test_sieve_redirects_outside_comments_and_strings():
    script = '''require ["copy", "variables"];
# redirect "hash@gmail.com";
/* a block comment
   redirect "block@gmail.com"; */
if address :is "from" "boss@college.ac.uk" {
    redirect :copy "me.at.home@gmail.com";
}
set "note" "redirect \\"string@gmail.com\\"";
REDIRECT "upper@yahoo.co.uk";
redirect text:
multi@outlook.com
.
;
keep;
'''
    assert sieve(script) == [("me.at.home@gmail.com", "Sieve redirect :copy"),
                             ("upper@yahoo.co.uk", "Sieve redirect"), ("multi@outlook.com", "Sieve redirect")]


def test_dot_forward_keeps_addresses_not_pipes_files_or_the_local_box():
    text = '\\jsmith, jane.smith@gmail.com\n"|/usr/bin/vacation jsmith"\n/var/mail/backup\n# old@yahoo.com\n'
    assert dot_forward(text) == [("jane.smith@gmail.com", ".forward")]


def test_procmail_action_lines():
    assert procmail(":0c\n* ^From:.*boss\n! me@gmail.com\n:0\n* ^Subject: x\n/dev/null\n") == \
        [("me@gmail.com", "procmail forward")]


def test_thunderbird_enabled_forward_filters_only():
    text = ('version="9"\nlogging="no"\nname="Home"\nenabled="yes"\ntype="17"\naction="Forward"\n'
            'actionValue="me@gmail.com"\ncondition="ALL"\nname="Off"\nenabled="no"\ntype="17"\n'
            'action="Forward"\nactionValue="off@gmail.com"\ncondition="ALL"\nname="Tag then redirect"\n'
            'enabled="yes"\ntype="1"\naction="Mark read"\naction="Redirect"\nactionValue="r@yahoo.com"\n'
            'condition="AND (subject,contains,\\"x\\")"\n')
    assert thunderbird_filters(text) == [("me@gmail.com", "Thunderbird filter 'Home' (Forward)"),
                                         ("r@yahoo.com", "Thunderbird filter 'Tag then redirect' (Redirect)")]
