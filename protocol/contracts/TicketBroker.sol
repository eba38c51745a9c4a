// SPDX-License-Identifier: LGPL-2.1-or-later
pragma solidity ^0.8.20;

import "./Manager.sol";

// Probabilistic micropayments: broadcasters (senders) lock ETH as a deposit, which pays
// winning tickets, and a reserve, which backs them when the deposit runs out (each active
// transcoder may claim an equal share of it per round). Checks, their order and revert
// reasons follow Livepeer's TicketBroker so a node sees the same answers on either.
contract TicketBroker is Manager {
    struct Sender {
        uint256 deposit;
        // Round from which deposit and reserve can be withdrawn; 0 while locked.
        uint256 withdrawRound;
    }

    struct ReserveInfo {
        uint256 fundsRemaining;
        uint256 claimedInCurrentRound;
    }

    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
    }

    struct Reserve {
        uint256 funds;
        // Bumped when the reserve is emptied by a withdrawal, so claims recorded against the
        // old funds do not count against a new reserve funded in the same round.
        uint256 generation;
    }

    // secp256k1n / 2: signatures with a larger s are malleable copies and are rejected.
    uint256 internal constant MAX_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    uint256 public unlockPeriod;
    uint256 public ticketValidityPeriod;
    mapping(bytes32 => bool) public usedTickets;

    mapping(address => Sender) private senders;
    mapping(address => Reserve) private reserves;
    // holder => generation => round => total claimed
    mapping(address => mapping(uint256 => mapping(uint256 => uint256))) private claimedForRound;
    // holder => generation => round => claimant => claimed
    mapping(address => mapping(uint256 => mapping(uint256 => mapping(address => uint256)))) private claimedByAddress;

    event DepositFunded(address indexed sender, uint256 amount);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);

    constructor(address _controller, uint256 _unlockPeriod, uint256 _ticketValidityPeriod) Manager(_controller) {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        unlockPeriod = _unlockPeriod;
        ticketValidityPeriod = _ticketValidityPeriod;
    }

    function setUnlockPeriod(uint256 _unlockPeriod) external onlyControllerOwner {
        unlockPeriod = _unlockPeriod;
        emit ParameterUpdate("unlockPeriod");
    }

    function setTicketValidityPeriod(uint256 _ticketValidityPeriod) external onlyControllerOwner {
        require(_ticketValidityPeriod > 0, "ticketValidityPeriod must be greater than 0");
        ticketValidityPeriod = _ticketValidityPeriod;
        emit ParameterUpdate("ticketValidityPeriod");
    }

    // ---- funding ----

    function fundDeposit() external payable whenSystemNotPaused {
        _addDeposit(msg.sender, msg.value);
        _forward(msg.value);
    }

    function fundReserve() external payable whenSystemNotPaused {
        _addReserve(msg.sender, msg.value);
        _forward(msg.value);
    }

    function fundDepositAndReserve(uint256 _depositAmount, uint256 _reserveAmount) external payable {
        fundDepositAndReserveFor(msg.sender, _depositAmount, _reserveAmount);
    }

    function fundDepositAndReserveFor(address _addr, uint256 _depositAmount, uint256 _reserveAmount)
        public
        payable
        whenSystemNotPaused
    {
        require(
            msg.value == _depositAmount + _reserveAmount,
            "msg.value does not equal sum of deposit amount and reserve amount"
        );
        _addDeposit(_addr, _depositAmount);
        _addReserve(_addr, _reserveAmount);
        _forward(msg.value);
    }

    // ---- unlocking and withdrawal ----

    function unlock() external whenSystemNotPaused {
        Sender storage sender = senders[msg.sender];
        require(sender.deposit > 0 || reserves[msg.sender].funds > 0, "sender deposit and reserve are zero");
        require(sender.withdrawRound == 0, "unlock already initiated");
        uint256 round = _currentRound();
        sender.withdrawRound = round + unlockPeriod;
        emit Unlock(msg.sender, round, sender.withdrawRound);
    }

    function cancelUnlock() external whenSystemNotPaused {
        _cancelUnlock(msg.sender);
    }

    function withdraw() external whenSystemNotPaused {
        Sender storage sender = senders[msg.sender];
        uint256 deposit = sender.deposit;
        uint256 reserve = reserves[msg.sender].funds;
        require(deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        require(sender.withdrawRound > 0, "no unlock request in progress");
        require(!_isLocked(sender), "account is locked");
        sender.deposit = 0;
        reserves[msg.sender].funds = 0;
        reserves[msg.sender].generation += 1;
        _minter().trustedWithdrawETH(payable(msg.sender), deposit + reserve);
        emit Withdrawal(msg.sender, deposit, reserve);
    }

    // ---- redemption ----

    function redeemWinningTicket(Ticket memory _ticket, bytes memory _sig, uint256 _recipientRand)
        public
        whenSystemNotPaused
        whenRoundInitialized
    {
        bytes32 ticketHash = getTicketHash(_ticket);
        uint256 creationRound = _requireValidWinningTicket(_ticket, ticketHash, _sig, _recipientRand);

        Sender storage sender = senders[_ticket.sender];
        require(_isLocked(sender), "sender is unlocked");
        uint256 reserve = reserves[_ticket.sender].funds;
        require(sender.deposit > 0 || reserve > 0, "sender deposit and reserve are zero");
        // Livepeer protocol PR #657: a ticket the sender cannot cover stays unused, so the
        // recipient can redeem it once the sender is funded again.
        require(
            sender.deposit + reserve >= _ticket.faceValue,
            "sender deposit and reserve insufficient to cover ticket face value"
        );

        usedTickets[ticketHash] = true;

        uint256 amount;
        if (_ticket.faceValue > sender.deposit) {
            amount =
                sender.deposit +
                _claimFromReserve(_ticket.sender, _ticket.recipient, _ticket.faceValue - sender.deposit);
            sender.deposit = 0;
        } else {
            amount = _ticket.faceValue;
            sender.deposit -= _ticket.faceValue;
        }

        if (amount > 0) {
            _bondingManager().updateTranscoderWithFees(_ticket.recipient, amount, creationRound);
            emit WinningTicketTransfer(_ticket.sender, _ticket.recipient, amount);
        }

        emit WinningTicketRedeemed(
            _ticket.sender,
            _ticket.recipient,
            _ticket.faceValue,
            _ticket.winProb,
            _ticket.senderNonce,
            _recipientRand,
            _ticket.auxData
        );
    }

    // Redeems each ticket on its own: one that fails is skipped, the others still pay.
    function batchRedeemWinningTickets(Ticket[] memory _tickets, bytes[] memory _sigs, uint256[] memory _recipientRands)
        external
        whenSystemNotPaused
        whenRoundInitialized
    {
        for (uint256 i = 0; i < _tickets.length; i++) {
            (bool ok, ) = address(this).call(
                abi.encodeWithSelector(this.redeemWinningTicket.selector, _tickets[i], _sigs[i], _recipientRands[i])
            );
            ok; // a failed ticket is skipped by design
        }
    }

    // ---- views ----

    function isUnlockInProgress(address _sender) external view returns (bool) {
        return senders[_sender].withdrawRound > 0;
    }

    function getSenderInfo(address _sender) external view returns (Sender memory sender, ReserveInfo memory reserve) {
        sender = senders[_sender];
        reserve = getReserveInfo(_sender);
    }

    function getReserveInfo(address _reserveHolder) public view returns (ReserveInfo memory info) {
        Reserve storage r = reserves[_reserveHolder];
        info.fundsRemaining = r.funds;
        info.claimedInCurrentRound = claimedForRound[_reserveHolder][r.generation][_currentRound()];
    }

    // An active transcoder's share of the reserve this round, less what it already claimed.
    function claimableReserve(address _reserveHolder, address _claimant) public view returns (uint256) {
        IBondingManager bm = _bondingManager();
        if (!bm.isActiveTranscoder(_claimant)) {
            return 0;
        }
        uint256 poolSize = bm.getTranscoderPoolSize();
        if (poolSize == 0) {
            return 0;
        }
        Reserve storage r = reserves[_reserveHolder];
        uint256 round = _currentRound();
        uint256 share = (r.funds + claimedForRound[_reserveHolder][r.generation][round]) / poolSize;
        uint256 claimed = claimedByAddress[_reserveHolder][r.generation][round][_claimant];
        // The pool can grow within a round and shrink everyone's share below what they took.
        return share > claimed ? share - claimed : 0;
    }

    function claimedReserve(address _reserveHolder, address _claimant) external view returns (uint256) {
        Reserve storage r = reserves[_reserveHolder];
        return claimedByAddress[_reserveHolder][r.generation][_currentRound()][_claimant];
    }

    function getTicketHash(Ticket memory _ticket) public pure returns (bytes32) {
        return
            keccak256(
                abi.encodePacked(
                    _ticket.recipient,
                    _ticket.sender,
                    _ticket.faceValue,
                    _ticket.winProb,
                    _ticket.senderNonce,
                    _ticket.recipientRandHash,
                    _ticket.auxData
                )
            );
    }

    // ---- internals ----

    function _addDeposit(address _sender, uint256 _amount) internal {
        senders[_sender].deposit += _amount;
        if (senders[_sender].withdrawRound > 0) {
            _cancelUnlock(_sender);
        }
        emit DepositFunded(_sender, _amount);
    }

    function _addReserve(address _holder, uint256 _amount) internal {
        reserves[_holder].funds += _amount;
        emit ReserveFunded(_holder, _amount);
        if (senders[_holder].withdrawRound > 0) {
            _cancelUnlock(_holder);
        }
    }

    function _forward(uint256 _amount) internal {
        if (_amount > 0) {
            _minter().depositETH{value: _amount}();
        }
    }

    function _cancelUnlock(address _sender) internal {
        require(senders[_sender].withdrawRound > 0, "no unlock request in progress");
        senders[_sender].withdrawRound = 0;
        emit UnlockCancelled(_sender);
    }

    function _isLocked(Sender storage _sender) internal view returns (bool) {
        return _sender.withdrawRound == 0 || _currentRound() < _sender.withdrawRound;
    }

    function _claimFromReserve(address _holder, address _claimant, uint256 _amount) internal returns (uint256) {
        uint256 claimable = claimableReserve(_holder, _claimant);
        uint256 amount = _amount > claimable ? claimable : _amount;
        if (amount > 0) {
            Reserve storage r = reserves[_holder];
            uint256 round = _currentRound();
            claimedForRound[_holder][r.generation][round] += amount;
            claimedByAddress[_holder][r.generation][round][_claimant] += amount;
            r.funds -= amount;
            emit ReserveClaimed(_holder, _claimant, amount);
        }
        return amount;
    }

    // Livepeer's order: recipient, sender, aux data (round hash, expiry), recipientRand,
    // replay, signature, win. Returns the creation round from the aux data.
    function _requireValidWinningTicket(
        Ticket memory _ticket,
        bytes32 _ticketHash,
        bytes memory _sig,
        uint256 _recipientRand
    ) internal view returns (uint256 creationRound) {
        require(_ticket.recipient != address(0), "ticket recipient is null address");
        require(_ticket.sender != address(0), "ticket sender is null address");

        creationRound = _requireValidAuxData(_ticket.auxData);

        require(
            keccak256(abi.encodePacked(_recipientRand)) == _ticket.recipientRandHash,
            "recipientRand does not match recipientRandHash"
        );
        require(!usedTickets[_ticketHash], "ticket is used");
        require(_signer(_ticketHash, _sig) == _ticket.sender, "invalid signature over ticket hash");
        require(uint256(keccak256(abi.encodePacked(_sig, _recipientRand))) < _ticket.winProb, "ticket did not win");
    }

    function _requireValidAuxData(bytes memory _auxData) internal view returns (uint256 creationRound) {
        require(_auxData.length == 64, "invalid length for ticket auxData: must be 64 bytes");
        bytes32 creationRoundBlockHash;
        assembly {
            creationRound := mload(add(_auxData, 32))
            creationRoundBlockHash := mload(add(_auxData, 64))
        }
        IRoundsManager rm = _roundsManager();
        bytes32 roundHash = rm.blockHashForRound(creationRound);
        require(roundHash != bytes32(0), "ticket creationRound does not have a block hash");
        require(creationRoundBlockHash == roundHash, "ticket creationRoundBlockHash invalid for creationRound");
        require(creationRound + ticketValidityPeriod > rm.currentRound(), "ticket is expired");
    }

    // personal_sign recovery; malformed signatures revert with the reasons OpenZeppelin's ECDSA
    // gives, a well-formed signature by someone else returns that someone.
    function _signer(bytes32 _hash, bytes memory _sig) internal pure returns (address) {
        require(_sig.length == 65, "INVALID_SIGNATURE_LENGTH");
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(_sig, 32))
            s := mload(add(_sig, 64))
            v := byte(0, mload(add(_sig, 96)))
        }
        require(uint256(s) <= MAX_S, "ECDSA: invalid signature 's' value");
        require(v == 27 || v == 28, "ECDSA: invalid signature 'v' value");
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", _hash));
        address signer = ecrecover(digest, v, r, s);
        require(signer != address(0), "ECDSA: invalid signature");
        return signer;
    }
}
